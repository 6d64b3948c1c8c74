import { sessionsBetween } from "../calendar/markets.ts";
import type { Bar } from "../domain/bar.ts";
import type { Alignment } from "./alignment.ts";
import { weekdayName } from "./calendar.ts";
import { issue, sessions } from "./issues.ts";
import { upperBound } from "./series.ts";
import { CheckCode, type Issue } from "./types.ts";
import type { CheckWindow } from "./window.ts";

/** Coverage: does the subject have each session the reference has, once, and nothing else? */

export function noDataIssue(window: CheckWindow, alignment: Alignment, subjectLength: number): Issue {
  const last = alignment.lastSubjectDateOverall;
  const why = last ? `; its last bar is ${last}` : subjectLength === 0 ? "; the series is empty" : "";
  return issue(CheckCode.noData, `no bars from ${window.start} to ${window.end}${why}`, {
    from: window.start,
    to: window.end,
  });
}

/**
 * The subject's last bar is older than the reference's last complete session, or, when the reference is itself
 * stale, than the calendar's last session (`expected`).
 *
 * @param lastSubject the subject's last session date up to the as-of date
 */
export function staleIssue(
  window: CheckWindow,
  lastSubject: string | undefined,
  expected: string | undefined,
): Issue | undefined {
  if (lastSubject === undefined) return undefined;
  if (expected !== undefined && expected > window.end) {
    if (lastSubject >= expected) return undefined;
    const behind = sessionsBetween(window.market, lastSubject, expected);
    return issue(
      CheckCode.stale,
      `last bar is ${lastSubject}, ${sessions(behind)} behind ${window.market.id}'s last session ${expected}`,
      { from: lastSubject, to: expected, count: behind },
    );
  }
  if (lastSubject >= window.end) return undefined;
  const behind = window.reference.length - upperBound(window.reference, lastSubject);
  return issue(
    CheckCode.stale,
    `last bar is ${lastSubject}, ${sessions(behind)} behind the reference's last complete session ${window.end}`,
    { from: lastSubject, to: window.end, count: behind },
  );
}

/**
 * One issue per run of consecutive reference sessions the subject lacks. Sessions after the subject's last bar
 * are left to `stale`, so a late datalake is one finding, not two.
 */
export function missingBarIssues(window: CheckWindow, alignment: Alignment): Issue[] {
  const last = alignment.lastSubjectDate;
  const issues: Issue[] = [];
  if (last === undefined) return issues;
  const { missing } = alignment;
  const reference = window.reference;
  let k = 0;
  while (k < missing.length) {
    const first = missing[k] as number;
    if ((reference[first] as Bar).date > last) break;
    let end = first;
    while (k + 1 < missing.length && missing[k + 1] === end + 1 && (reference[end + 1] as Bar).date <= last) {
      end++;
      k++;
    }
    k++;
    const from = (reference[first] as Bar).date;
    const to = (reference[end] as Bar).date;
    const count = end - first + 1;
    const message = count === 1 ? `no bar for session ${from}` : `no bars for ${sessions(count)} from ${from} to ${to}`;
    issues.push(issue(CheckCode.missingBars, message, { from, to, count }));
  }
  return issues;
}

/**
 * Subject bars in the window on dates the reference has no session for although the calendar does (a shifted date,
 * a holiday the calendar does not know). Non-session dates are reported by the calendar check instead.
 */
export function extraBarIssues(alignment: Alignment, nonSession: ReadonlySet<string>): Issue[] {
  return alignment.extra
    .filter((date) => !nonSession.has(date))
    .map((date) =>
      issue(CheckCode.extraBars, `bar on ${date} (${weekdayName(date)}), a date the reference has no session for`, {
        date,
      }),
    );
}

/** Dates present more than once in sorted bars, with how many times. */
export function findDuplicates(sorted: readonly Bar[]): { date: string; count: number }[] {
  const duplicates: { date: string; count: number }[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const date = (sorted[i] as Bar).date;
    if (date !== (sorted[i - 1] as Bar).date) continue;
    const last = duplicates[duplicates.length - 1];
    if (last?.date === date) last.count++;
    else duplicates.push({ date, count: 2 });
  }
  return duplicates;
}

export function duplicateBarIssues(duplicates: readonly { date: string; count: number }[]): Issue[] {
  return duplicates.map(({ date, count }) =>
    issue(CheckCode.duplicateBars, `${date} appears ${count} times; the first bar is the one compared`, {
      date,
      count,
    }),
  );
}
