import type { Market } from "../calendar/markets.ts";
import type { Bar } from "../domain/bar.ts";
import { weekdayName } from "./calendar.ts";
import { issue } from "./issues.ts";
import { CheckCode, type Issue } from "./types.ts";

/**
 * Subject bars on dates that are not sessions of the instrument's market (weekends; holidays where the calendar
 * knows them), wherever they are in the series, and bars dated after the as-of date. Uses the exchange calendar,
 * not the reference, so bars after the reference's last session and before the window are judged too.
 *
 * @param sorted the whole subject series, ascending
 * @param today the exchange-local date of the as-of instant
 */
export function calendarIssues(
  sorted: readonly Bar[],
  market: Market,
  today: string,
): { nonSession: Issue[]; future: Issue[]; nonSessionDates: Set<string> } {
  const nonSession: Issue[] = [];
  const future: Issue[] = [];
  const nonSessionDates = new Set<string>();
  let previous: string | undefined;
  for (const bar of sorted) {
    const date = bar.date;
    if (date === previous) continue;
    previous = date;
    if (date > today) {
      future.push(
        issue(CheckCode.futureBar, `bar dated ${date}, after the as-of date ${today} (${market.timezone})`, { date }),
      );
    } else if (!market.isSession(date)) {
      nonSessionDates.add(date);
      nonSession.push(
        issue(CheckCode.extraBars, `bar on ${date} (${weekdayName(date)}), not a session of ${market.id}`, { date }),
      );
    }
  }
  return { nonSession, future, nonSessionDates };
}
