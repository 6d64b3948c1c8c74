import { isFinal, type Market, resolveMarket } from "../calendar/markets.ts";
import { zonedDate } from "../calendar/zoned-time.ts";
import type { Bar, ReferenceSeries } from "../domain/bar.ts";
import { addDays } from "./calendar.ts";
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
  /** The exchange-local date of `asOf`: bars dated later are in the future. */
  today: string;
  market: Market;
}

export type WindowOptions = Pick<CheckOptions, "lookbackDays" | "sessionClose"> &
  Partial<Pick<CheckOptions, "settleMinutes" | "markets">>;

/** The market of a reference series, with the options' per-exchange settings. */
export function marketOf(series: ReferenceSeries, options: Partial<WindowOptions> = {}): Market {
  return resolveMarket(
    { timezone: series.exchangeTimezone, mic: series.mic, exchange: series.exchange, kind: series.kind },
    options.markets ?? {},
    { close: options.sessionClose, settleMinutes: options.settleMinutes },
  );
}

/**
 * Finds the window for `asOf`. A reference bar is complete once its session's close plus the settle buffer has
 * passed (exchange-local close from the market: 16:00 or 13:00 on NYSE early closes, 17:35 on XETRA, 24:00 for
 * forex and crypto); later bars are neither compared nor required. Returns undefined when the reference has no
 * complete session at all. Throws RangeError for an unknown time zone.
 */
export function findWindow(
  series: ReferenceSeries,
  asOf: Date,
  options: WindowOptions,
  market: Market = marketOf(series, options),
): CheckWindow | undefined {
  const sorted = dedupeSorted(sortByDate(series.bars));
  const today = zonedDate(asOf, market.timezone);
  let complete = lowerBound(sorted, addDays(today, -1));
  while (complete < sorted.length && isFinal(market, (sorted[complete] as Bar).date, asOf, today)) complete++;
  const last = sorted[complete - 1];
  if (!last) return undefined;
  const reference = complete === sorted.length ? sorted : sorted.slice(0, complete);
  const start = addDays(last.date, -(options.lookbackDays - 1));
  return { start, end: last.date, reference, referenceStart: lowerBound(reference, start), today, market };
}
