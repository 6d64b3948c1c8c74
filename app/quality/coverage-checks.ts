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

/** The subject's last bar is older than the reference's last complete session. */
export function staleIssue(window: CheckWindow, alignment: Alignment): Issue | undefined {
  const last = alignment.lastSubjectDate;
  if (last === undefined || last >= window.end) return undefined;
  const behind = window.reference.length - upperBound(window.reference, last);
  return issue(
    CheckCode.stale,
    `last bar is ${last}, ${sessions(behind)} behind the reference's last complete session ${window.end}`,
    { from: last, to: window.end, count: behind },
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

/** Subject bars on dates the reference has no session for: weekends, holidays, a shifted date. */
export function extraBarIssues(alignment: Alignment): Issue[] {
  return alignment.extra.map((date) =>
    issue(CheckCode.extraBars, `bar on ${date} (${weekdayName(date)}), a date the reference has no session for`, {
      date,
    }),
  );
}

export function duplicateBarIssues(alignment: Alignment): Issue[] {
  return alignment.duplicates.map(({ date, count }) =>
    issue(CheckCode.duplicateBars, `${date} appears ${count} times; the first bar is the one compared`, {
      date,
      count,
    }),
  );
}
