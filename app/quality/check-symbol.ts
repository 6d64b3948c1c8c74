import {
  type AdjustmentRun,
  adjustmentIssues,
  findAdjustmentRuns,
  fitsRun,
  runMembership,
} from "./adjustment-check.ts";
import { type Alignment, align } from "./alignment.ts";
import { duplicateBarIssues, extraBarIssues, missingBarIssues, noDataIssue, staleIssue } from "./coverage-checks.ts";
import { InvalidCheckInputError } from "./errors.ts";
import { capIssues } from "./issues.ts";
import { ohlcInvalidIssues } from "./ohlc-check.ts";
import { resolveCheckOptions } from "./options.ts";
import { outlierReturnIssues } from "./outlier-check.ts";
import { maxCloseDiffPct, priceMismatchIssues, volumeMismatchIssues } from "./price-checks.ts";
import { sortByDate } from "./series.ts";
import {
  CheckCode,
  type CheckInput,
  type CheckOptions,
  type Issue,
  type Metrics,
  ResultStatus,
  type SymbolResult,
} from "./types.ts";
import { type CheckWindow, findWindow } from "./window.ts";

export type ErrorKind = NonNullable<SymbolResult["error"]>["kind"];

/**
 * Checks one symbol's subject bars against the reference over the window ending at the reference's last complete
 * session. Pure: no I/O, no clock. Throws InvalidCheckInputError only for bad options or an invalid `asOf`, which
 * would fail every symbol alike; anything about the data itself becomes the result.
 */
export function checkSymbol(input: CheckInput): SymbolResult {
  const options = resolveCheckOptions(input.options);
  if (Number.isNaN(input.asOf.getTime())) throw new InvalidCheckInputError("asOf", "is an invalid Date");

  let window: CheckWindow | undefined;
  try {
    window = findWindow(input.reference, input.asOf, options);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const zone = JSON.stringify(input.reference.exchangeTimezone);
    return errorResult(input.symbol, "provider", `reference has an unknown exchange time zone ${zone}`);
  }
  if (!window) return errorResult(input.symbol, "provider", "reference returned no complete session");

  const alignment = align(sortByDate(input.subject), window);
  const referenceRows = window.reference.length - window.referenceStart;
  const enabled = options.enabled;

  if (alignment.subject.length === 0) {
    const issues = enabled.has(CheckCode.noData) ? [noDataIssue(window, alignment, input.subject.length)] : [];
    return result(input.symbol, issues, {
      subjectRows: 0,
      referenceRows,
      comparedRows: 0,
      maxDiffPct: 0,
      lastSubjectDate: alignment.lastSubjectDateOverall ?? null,
      lastReferenceDate: window.end,
    });
  }

  const { comparedSubject, comparedReference } = alignment;
  // With adjustment_mismatch off, nothing would report a run, so its sessions fall back to price_mismatch.
  const runs = enabled.has(CheckCode.adjustmentMismatch)
    ? findAdjustmentRuns(comparedSubject, comparedReference, options.tolerances)
    : [];
  const inRun = runMembership(runs, comparedSubject.length);
  const byCode = new Map<CheckCode, Issue[]>();
  const add = (code: CheckCode, make: () => Issue[]) => {
    if (enabled.has(code)) byCode.set(code, make());
  };

  // Errors first, then warnings, then info: a result's first issue is its most serious one.
  add(CheckCode.stale, () => optional(staleIssue(window, alignment)));
  add(CheckCode.missingBars, () => missingBarIssues(window, alignment));
  add(CheckCode.duplicateBars, () => duplicateBarIssues(alignment));
  add(CheckCode.ohlcInvalid, () => ohlcInvalidIssues(alignment.subject));
  add(CheckCode.adjustmentMismatch, () => adjustmentIssues(runs, comparedSubject));
  add(CheckCode.priceMismatch, () =>
    priceMismatchIssues(comparedSubject, comparedReference, inRun, options.tolerances),
  );
  add(CheckCode.extraBars, () => extraBarIssues(alignment));
  add(CheckCode.outlierReturn, () =>
    outlierReturnIssues(alignment, inRun, beforeRun(alignment, runs, options), options.tolerances),
  );
  add(CheckCode.volumeMismatch, () =>
    volumeMismatchIssues(comparedSubject, comparedReference, inRun, options.tolerances),
  );

  const issues: Issue[] = [];
  for (const found of byCode.values()) {
    if (found.length > 0) issues.push(...capIssues(found, options.maxIssuesPerCode));
  }
  return result(input.symbol, issues, {
    subjectRows: alignment.subject.length,
    referenceRows,
    comparedRows: comparedSubject.length,
    maxDiffPct: maxCloseDiffPct(comparedSubject, comparedReference, inRun),
    lastSubjectDate: alignment.lastSubjectDate ?? null,
    lastReferenceDate: window.end,
  });
}

/** A symbol that could not be validated (provider, datalake, rate limit): never counted as a data defect. */
export function errorResult(symbol: string, kind: ErrorKind, message: string): SymbolResult {
  return {
    symbol,
    status: ResultStatus.error,
    issues: [],
    metrics: {
      subjectRows: 0,
      referenceRows: 0,
      comparedRows: 0,
      maxDiffPct: 0,
      lastSubjectDate: null,
      lastReferenceDate: null,
    },
    error: { kind, message },
  };
}

function result(symbol: string, issues: Issue[], metrics: Metrics): SymbolResult {
  const failed = issues.some((item) => item.severity === "error");
  return { symbol, status: failed ? ResultStatus.fail : ResultStatus.pass, issues, metrics };
}

function optional(item: Issue | undefined): Issue[] {
  return item ? [item] : [];
}

/** The run, if any, that the session just before the window would belong to, so its edge is not an outlier. */
function beforeRun(alignment: Alignment, runs: readonly AdjustmentRun[], options: CheckOptions): number {
  const first = runs[0];
  const before = alignment.before;
  if (first?.start !== 0 || !before) return -1;
  const ratio = before.subject.close / before.reference.close;
  return fitsRun(Number.isFinite(ratio) ? ratio : undefined, first, options.tolerances.adjustmentRatioSpreadPct)
    ? 0
    : -1;
}
