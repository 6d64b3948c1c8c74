export { type AdjustmentRun, findAdjustmentRuns, likelyCause } from "./adjustment-check.ts";
export { checkSymbol, type ErrorKind, errorResult, providerErrorResult } from "./check-symbol.ts";
export { InvalidCheckInputError } from "./errors.ts";
export {
  DEFAULT_CHECK_OPTIONS,
  DEFAULT_ENABLED_CHECKS,
  DEFAULT_TOLERANCES,
  type PartialCheckOptions,
  resolveCheckOptions,
} from "./options.ts";
export * from "./types.ts";
export { type CheckWindow, findWindow } from "./window.ts";
