/**
 * The check engine suite's own fixture: two weeks of sessions checked on a Saturday, and `check()` over them. It
 * stays beside the suite rather than in test/helpers: only the quality tests share its dates and options.
 */
import type { Bar } from "../../app/domain/bar.ts";
import { checkSymbol } from "../../app/quality/check-symbol.ts";
import type { CheckCode, CheckInput, Issue, SymbolResult } from "../../app/quality/types.ts";
import { makeBars, referenceSeries, sessionDates } from "../helpers/bars.ts";

/** Two weeks of sessions, Monday 2026-01-05 to Friday 2026-01-16, checked on Saturday 04:30 UTC. */
export const DATES = sessionDates("2026-01-05", 10);
export const AS_OF = new Date("2026-01-17T04:30:00Z");
/** Covers all ten sessions (2026-01-03 to 2026-01-16). */
export const LOOKBACK = 14;

/** A gently rising close: day-over-day moves of about 1 %. */
export const closeAt = (i: number): number => 100 + i;

export function cleanBars(dates: readonly string[] = DATES): Bar[] {
  return makeBars(dates, closeAt);
}

/** checkSymbol over the two-week fixture; options default to the fixture's lookback. */
export function check(
  subject: readonly Bar[],
  reference: Bar[] = cleanBars(),
  options: CheckInput["options"] = {},
  asOf: Date = AS_OF,
): SymbolResult {
  return checkSymbol({
    symbol: "TEST",
    subject,
    reference: referenceSeries(reference),
    asOf,
    options: { lookbackDays: LOOKBACK, ...options },
  });
}

export function codes(result: SymbolResult): CheckCode[] {
  return result.issues.map((item) => item.code);
}

export function issuesOf(result: SymbolResult, code: CheckCode): Issue[] {
  return result.issues.filter((item) => item.code === code);
}
