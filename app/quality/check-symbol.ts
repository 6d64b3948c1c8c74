import type { Market } from "../calendar/markets.ts";
import { zonedDate } from "../calendar/zoned-time.ts";
import type { Bar } from "../domain/bar.ts";
import {
  type AdjustmentRun,
  adjustmentIssues,
  findAdjustmentRuns,
  fitsRun,
  runMembership,
} from "./adjustment-check.ts";
import { type Alignment, align } from "./alignment.ts";
import { calendarIssues } from "./calendar-checks.ts";
import {
  duplicateBarIssues,
  extraBarIssues,
  findDuplicates,
  missingBarIssues,
  noDataIssue,
  staleIssue,
} from "./coverage-checks.ts";
import { InvalidCheckInputError } from "./errors.ts";
import { instrumentMismatchIssue } from "./instrument-check.ts";
import { capIssues } from "./issues.ts";
import { missingValueIssues } from "./missing-values.ts";
import { ohlcInvalidIssues } from "./ohlc-check.ts";
import { resolveCheckOptions } from "./options.ts";
import { outlierReturnIssues } from "./outlier-check.ts";
import { maxCloseDiffPct, priceMismatchIssues, volumeMismatchIssues } from "./price-checks.ts";
import { prepareReference, referenceStale } from "./reference-checks.ts";
import { lowerBound, sortByDate, upperBound } from "./series.ts";
import {
  CheckCode,
  type CheckInput,
  type CheckOptions,
  type Issue,
  type Metrics,
  ResultStatus,
  type Severity,
  type SymbolResult,
} from "./types.ts";
import { findWindow, marketOf } from "./window.ts";

export type ErrorKind = NonNullable<SymbolResult["error"]>["kind"];

/** The price tick of equities when the options name none: a cent. */
const EQUITY_TICK = 0.01;

/**
 * Checks one symbol's subject bars against the reference over the window ending at the reference's last complete
 * session, and the subject's own bars from the window's start to the as-of date on their own (OHLC validity,
 * duplicates, missing values), with the exchange calendar judging every date of the series. Pure: no I/O, no
 * clock. Throws InvalidCheckInputError only for bad options or an invalid `asOf`, which would fail every symbol
 * alike; anything about the data itself becomes the result.
 */
export function checkSymbol(input: CheckInput): SymbolResult {
  const options = resolveCheckOptions(input.options);
  const asOf = input.asOf;
  if (Number.isNaN(asOf.getTime())) throw new InvalidCheckInputError("asOf", "is an invalid Date");

  let market: Market;
  try {
    market = marketOf(input.reference, options);
    zonedDate(asOf, market.timezone);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const zone = JSON.stringify(input.reference.exchangeTimezone);
    return errorResult(input.symbol, "provider", `reference has an unknown exchange time zone ${zone}`);
  }
  const prepared = prepareReference(input.reference, market);
  const window = findWindow(prepared.series, asOf, options, market);
  if (!window) {
    const conflicts = input.reference.conflicts?.length ?? 0;
    const why = conflicts > 0 ? `: ${conflicts} date(s) answered twice with different values were set aside` : "";
    return errorResult(input.symbol, "provider", `reference returned no complete session${why}`);
  }

  const subject = sortByDate(redate(input.subject, market.timezone));
  const alignment = align(subject, window, prepared.setAside);
  // The subject's own bars, from the window's start to the as-of date: after the reference's last session too.
  const own = subject.slice(lowerBound(subject, window.start), upperBound(subject, window.today));
  const calendar = calendarIssues(subject, market, window.today);
  const enabled = options.enabled;
  const stale = enabled.has(CheckCode.referenceStale) ? referenceStale(window.end, market, asOf) : undefined;
  const referenceRows = window.reference.length - window.referenceStart;

  const { comparedSubject, comparedReference } = alignment;
  const absolute = options.tolerances.priceTicks * (options.tickSize ?? (market.kind === "equity" ? EQUITY_TICK : 0));
  // With adjustment_mismatch off, nothing would report a run, so its sessions fall back to price_mismatch.
  const runs = enabled.has(CheckCode.adjustmentMismatch)
    ? findAdjustmentRuns(comparedSubject, comparedReference, options.tolerances, absolute)
    : [];
  const inRun = runMembership(runs, comparedSubject.length);
  const byCode = new Map<CheckCode, Issue[]>();
  const add = (code: CheckCode, make: () => Issue[]) => {
    if (enabled.has(code)) byCode.set(code, [...(byCode.get(code) ?? []), ...make()]);
  };

  if (own.length === 0) {
    add(CheckCode.noData, () => [noDataIssue(window, alignment, input.subject.length)]);
  } else {
    const lastSession = lastSessionBar(own, market);
    add(CheckCode.stale, () => optional(staleIssue(window, lastSession, stale?.expected)));
    add(CheckCode.missingBars, () => missingBarIssues(window, alignment));
    add(CheckCode.duplicateBars, () => duplicateBarIssues(findDuplicates(own)));
    // A blank or NaN cell is reported wherever it is in the series, like a non-session date.
    add(CheckCode.missingValue, () => missingValueIssues(subject.slice(0, upperBound(subject, window.today))));
    add(CheckCode.ohlcInvalid, () => ohlcInvalidIssues(own, options.tolerances.ohlcEpsilonPct));
  }
  add(CheckCode.futureBar, () => calendar.future);
  // Another instrument under the same ticker is one finding, not a price_mismatch a day.
  const wrong = enabled.has(CheckCode.instrumentMismatch)
    ? instrumentMismatchIssue(comparedSubject, comparedReference, inRun)
    : undefined;
  if (own.length > 0) {
    add(CheckCode.instrumentMismatch, () => optional(wrong));
    add(CheckCode.adjustmentMismatch, () => adjustmentIssues(runs, comparedSubject, input.reference.currency));
    if (!wrong)
      add(CheckCode.priceMismatch, () =>
        priceMismatchIssues(comparedSubject, comparedReference, inRun, options.tolerances, absolute),
      );
  }
  add(CheckCode.referenceStale, () => optional(stale?.issue));
  add(CheckCode.extraBars, () =>
    [...calendar.nonSession, ...extraBarIssues(alignment, calendar.nonSessionDates)].sort(byDate),
  );
  if (own.length > 0 && !wrong) {
    add(CheckCode.outlierReturn, () =>
      outlierReturnIssues(alignment, inRun, beforeRun(alignment, runs, options), options.tolerances),
    );
    add(CheckCode.volumeMismatch, () =>
      volumeMismatchIssues(comparedSubject, comparedReference, inRun, options.tolerances),
    );
  }
  add(CheckCode.referenceSetAside, () => prepared.issues);

  const issues: Issue[] = [];
  for (const found of byCode.values()) {
    if (found.length > 0) issues.push(...capIssues(found, options.maxIssuesPerCode));
  }
  return result(input.symbol, withSeverities(issues, options.severities), {
    subjectRows: alignment.subject.length,
    referenceRows,
    comparedRows: comparedSubject.length,
    maxDiffPct: maxCloseDiffPct(comparedSubject, comparedReference, inRun),
    lastSubjectDate: (own.length > 0 ? alignment.lastSubjectDate : alignment.lastSubjectDateOverall) ?? null,
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

/** Plan-locked symbols (403 naming a plan) are `not_entitled`; every other provider failure is `provider`. */
const PLAN_LOCKED = /plan|upgrad|available (?:starting|exclusively)/i;

/** The result of a symbol the provider answered with an error entry. */
export function providerErrorResult(symbol: string, code: number, message: string): SymbolResult {
  if (code === 403 && PLAN_LOCKED.test(message))
    return errorResult(
      symbol,
      "not_entitled",
      `not entitled: the provider's plan does not cover ${symbol} (${message}); upgrade the plan or add ${symbol} to the deny-list`,
    );
  return errorResult(symbol, "provider", `provider ${code}: ${message}`);
}

function result(symbol: string, issues: Issue[], metrics: Metrics): SymbolResult {
  const failed = issues.some((item) => item.severity === "error");
  return { symbol, status: failed ? ResultStatus.fail : ResultStatus.pass, issues, metrics };
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The profile's severities replace the defaults; the most serious issue stays first. */
function withSeverities(issues: Issue[], severities: CheckOptions["severities"]): Issue[] {
  const changed = issues.map((item) => {
    const severity = severities[item.code];
    return severity === undefined || severity === item.severity ? item : { ...item, severity };
  });
  return changed.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

function optional(item: Issue | undefined): Issue[] {
  return item ? [item] : [];
}

function byDate(a: Issue, b: Issue): number {
  const x = a.date ?? a.from ?? "";
  const y = b.date ?? b.from ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The date of the last bar that falls on a session (a weekend bar after Friday's does not make the series current). */
function lastSessionBar(bars: readonly Bar[], market: Market): string | undefined {
  for (let i = bars.length - 1; i >= 0; i--) {
    const date = (bars[i] as Bar).date;
    if (market.isSession(date)) return date;
  }
  return undefined;
}

/** Bars the source dated by a bare instant take their date in the exchange's zone. The input itself when none. */
function redate(bars: readonly Bar[], timeZone: string): readonly Bar[] {
  if (!bars.some((bar) => bar.instant !== undefined)) return bars;
  return bars.map((bar) =>
    bar.instant === undefined ? bar : { ...bar, date: zonedDate(new Date(bar.instant), timeZone) },
  );
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
