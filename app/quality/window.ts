import type { Bar, ReferenceSeries } from "../domain/bar.ts";
import { addDays, localTime } from "./calendar.ts";
import { dedupeSorted, lowerBound, sortByDate } from "./series.ts";
import type { CheckOptions } from "./types.ts";

/** The dates a check covers: [start, end], where end is the reference's last complete session. */
export interface CheckWindow {
  start: string;
  /** D: the reference's last complete session. */
  end: string;
  /** Complete reference sessions, ascending, each date once; may begin before `start`. */
  reference: readonly Bar[];
  /** Index in `reference` of the first session in the window. */
  referenceStart: number;
}

/**
 * Finds the window for `asOf`. A reference bar dated the exchange-local day of `asOf` is still in progress until
 * the exchange-local clock reaches `sessionClose`; it and anything dated later are neither compared nor required.
 * Returns undefined when the reference has no complete session at all. Throws RangeError for an unknown time zone.
 */
export function findWindow(
  series: ReferenceSeries,
  asOf: Date,
  options: Pick<CheckOptions, "lookbackDays" | "sessionClose">,
): CheckWindow | undefined {
  const sorted = dedupeSorted(sortByDate(series.bars));
  const now = localTime(asOf, series.exchangeTimezone);
  let complete = lowerBound(sorted, now.date);
  if (sorted[complete]?.date === now.date && now.time >= options.sessionClose) complete++;
  const last = sorted[complete - 1];
  if (!last) return undefined;
  const reference = complete === sorted.length ? sorted : sorted.slice(0, complete);
  const start = addDays(last.date, -(options.lookbackDays - 1));
  return { start, end: last.date, reference, referenceStart: lowerBound(reference, start) };
}
