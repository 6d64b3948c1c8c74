import { lastFinalSession, type Market, sessionsBetween } from "../calendar/markets.ts";
import type { Bar, ReferenceSeries } from "../domain/bar.ts";
import { weekdayName } from "./calendar.ts";
import { issue, sessions } from "./issues.ts";
import { CheckCode, type Issue } from "./types.ts";

/** The reference is checked before it judges: bars it should not have are set aside, a lag is reported. */

export interface PreparedReference {
  series: ReferenceSeries;
  /** Dates neither compared nor required: the reference's bar there is not trusted. */
  setAside: Set<string>;
  issues: Issue[];
}

/**
 * Sets aside reference bars on dates that are not sessions of the market (a provider bar on a weekend or a holiday
 * would otherwise make every symbol of the market `missing_bars`) and dates the provider answered twice with
 * different values, each with an info note.
 */
export function prepareReference(series: ReferenceSeries, market: Market): PreparedReference {
  const setAside = new Set<string>();
  const notes: string[] = [];
  const conflicts = new Set(series.conflicts ?? []);
  const kept: Bar[] = [];
  for (const bar of series.bars) {
    if (!market.isSession(bar.date)) {
      if (!setAside.has(bar.date)) notes.push(`${bar.date} (${weekdayName(bar.date)}, not a session of ${market.id})`);
      setAside.add(bar.date);
    } else kept.push(bar);
  }
  for (const date of conflicts) {
    if (setAside.has(date)) continue;
    setAside.add(date);
    notes.push(`${date} (answered twice with different values)`);
  }
  const issues: Issue[] = [];
  if (notes.length > 0) {
    const sorted = [...setAside].sort();
    issues.push(
      issue(
        CheckCode.referenceSetAside,
        `reference bars set aside, neither compared nor required: ${notes.join(", ")}`,
        {
          from: sorted[0],
          to: sorted[sorted.length - 1],
          count: sorted.length,
        },
      ),
    );
  }
  return { series: kept.length === series.bars.length ? series : { ...series, bars: kept }, setAside, issues };
}

/**
 * The reference's last complete session against the calendar's: behind by more than the market's allowance, it is
 * stale and cannot vouch for the datalake's later bars (which the intrinsic checks still cover).
 * Returns the session the datalake should reach, or undefined when the reference is not stale.
 */
export function referenceStale(
  referenceEnd: string,
  market: Market,
  asOf: Date,
): { issue: Issue; expected: string } | undefined {
  const expected = lastFinalSession(market, asOf);
  if (referenceEnd >= expected) return undefined;
  const behind = sessionsBetween(market, referenceEnd, expected);
  if (behind < market.staleAfterSessions) return undefined;
  return {
    expected,
    issue: issue(
      CheckCode.referenceStale,
      `the reference's last complete session is ${referenceEnd}, ${sessions(behind)} behind ${market.id}'s last session ` +
        `${expected}: later datalake bars were checked on their own only`,
      { from: referenceEnd, to: expected, count: behind },
    ),
  };
}
