import { DEFAULT_SETTLE_MINUTES } from "../calendar/markets.ts";
import { InvalidCheckInputError } from "./errors.ts";
import { CheckCode, type CheckInput, type CheckOptions, type Tolerances } from "./types.ts";

/** Every check but volume_mismatch: vendors count volume differently, so it is opt-in. */
export const DEFAULT_ENABLED_CHECKS: ReadonlySet<CheckCode> = new Set(
  Object.values(CheckCode).filter((code) => code !== CheckCode.volumeMismatch),
);

export const DEFAULT_TOLERANCES: Readonly<Tolerances> = Object.freeze({
  closePct: 1,
  openHighLowPct: 2,
  volumePct: 10,
  outlierReturnPct: 25,
  adjustmentRatioSpreadPct: 0.5,
  priceTicks: 1,
  ohlcEpsilonPct: 0.001,
});

export const DEFAULT_CHECK_OPTIONS: Readonly<CheckOptions> = Object.freeze({
  lookbackDays: 10,
  tolerances: DEFAULT_TOLERANCES,
  enabled: DEFAULT_ENABLED_CHECKS,
  sessionClose: "16:00",
  settleMinutes: DEFAULT_SETTLE_MINUTES,
  markets: Object.freeze({}),
  tickSize: undefined,
  severities: Object.freeze({}),
  maxIssuesPerCode: 10,
});

export type PartialCheckOptions = NonNullable<CheckInput["options"]>;

const SESSION_CLOSE = /^([01]\d|2[0-3]):[0-5]\d$/;
const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(CheckCode));
const SEVERITIES = { error: true, warning: true, info: true } as const;

// A batch checks many symbols with the same options object: validate it once.
const resolved = new WeakMap<PartialCheckOptions, CheckOptions>();

/** Fills defaults with `??` and validates; throws InvalidCheckInputError naming the bad option. */
export function resolveCheckOptions(partial?: PartialCheckOptions): CheckOptions {
  if (partial === undefined) return DEFAULT_CHECK_OPTIONS;
  const cached = resolved.get(partial);
  if (cached) return cached;
  const t = partial.tolerances;
  const options: CheckOptions = {
    lookbackDays: partial.lookbackDays ?? DEFAULT_CHECK_OPTIONS.lookbackDays,
    tolerances: {
      closePct: t?.closePct ?? DEFAULT_TOLERANCES.closePct,
      openHighLowPct: t?.openHighLowPct ?? DEFAULT_TOLERANCES.openHighLowPct,
      volumePct: t?.volumePct ?? DEFAULT_TOLERANCES.volumePct,
      outlierReturnPct: t?.outlierReturnPct ?? DEFAULT_TOLERANCES.outlierReturnPct,
      adjustmentRatioSpreadPct: t?.adjustmentRatioSpreadPct ?? DEFAULT_TOLERANCES.adjustmentRatioSpreadPct,
      priceTicks: t?.priceTicks ?? DEFAULT_TOLERANCES.priceTicks,
      ohlcEpsilonPct: t?.ohlcEpsilonPct ?? DEFAULT_TOLERANCES.ohlcEpsilonPct,
    },
    enabled: partial.enabled ?? DEFAULT_ENABLED_CHECKS,
    sessionClose: partial.sessionClose ?? DEFAULT_CHECK_OPTIONS.sessionClose,
    settleMinutes: partial.settleMinutes ?? DEFAULT_CHECK_OPTIONS.settleMinutes,
    markets: partial.markets ?? DEFAULT_CHECK_OPTIONS.markets,
    tickSize: partial.tickSize ?? DEFAULT_CHECK_OPTIONS.tickSize,
    severities: partial.severities ?? DEFAULT_CHECK_OPTIONS.severities,
    maxIssuesPerCode: partial.maxIssuesPerCode ?? DEFAULT_CHECK_OPTIONS.maxIssuesPerCode,
  };
  validate(options);
  resolved.set(partial, options);
  return options;
}

function validate(options: CheckOptions): void {
  requirePositiveInt("lookbackDays", options.lookbackDays);
  requirePositiveInt("maxIssuesPerCode", options.maxIssuesPerCode);
  if (!SESSION_CLOSE.test(options.sessionClose))
    throw new InvalidCheckInputError(
      "sessionClose",
      `expected HH:MM (00:00-23:59), got ${JSON.stringify(options.sessionClose)}`,
    );
  for (const [name, value] of Object.entries(options.tolerances)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
      throw new InvalidCheckInputError(`tolerances.${name}`, `expected a finite number >= 0, got ${String(value)}`);
  }
  for (const code of options.enabled) {
    if (!KNOWN_CODES.has(code)) throw new InvalidCheckInputError("enabled", `unknown check ${JSON.stringify(code)}`);
  }
  if (!Number.isFinite(options.settleMinutes) || options.settleMinutes < 0 || options.settleMinutes > 24 * 60)
    throw new InvalidCheckInputError("settleMinutes", `expected 0-1440 minutes, got ${String(options.settleMinutes)}`);
  if (options.tickSize !== undefined && !(Number.isFinite(options.tickSize) && options.tickSize >= 0))
    throw new InvalidCheckInputError("tickSize", `expected a finite number >= 0, got ${String(options.tickSize)}`);
  for (const [code, severity] of Object.entries(options.severities)) {
    if (!KNOWN_CODES.has(code)) throw new InvalidCheckInputError("severities", `unknown check ${JSON.stringify(code)}`);
    if (!(severity in SEVERITIES))
      throw new InvalidCheckInputError(
        `severities.${code}`,
        `expected error, warning or info, got ${String(severity)}`,
      );
  }
  for (const [key, market] of Object.entries(options.markets)) {
    const close = market.close;
    if (close !== undefined && close !== "24:00" && !SESSION_CLOSE.test(close))
      throw new InvalidCheckInputError(`markets.${key}.close`, `expected HH:MM or 24:00, got ${JSON.stringify(close)}`);
  }
}

function requirePositiveInt(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidCheckInputError(field, `expected a positive integer, got ${String(value)}`);
}
