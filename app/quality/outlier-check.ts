import type { Bar } from "../domain/bar.ts";
import type { Alignment } from "./alignment.ts";
import { formatMove, issue, round } from "./issues.ts";
import { CheckCode, type Issue, type Tolerances } from "./types.ts";

/**
 * Close-to-close moves of the subject beyond the outlier threshold that the reference does not show over the same
 * two dates (within twice the close tolerance, in percentage points). Moves are measured between consecutive compared
 * sessions, the first from the latest shared session before the window. A move across the edge of an adjustment
 * run is the unapplied factor, already reported, so it is skipped.
 *
 * @param inRun run index per compared session (-1: none)
 * @param beforeRun run index of `alignment.before` (-1: none)
 */
export function outlierReturnIssues(
  alignment: Pick<Alignment, "comparedSubject" | "comparedReference" | "before">,
  inRun: Int32Array,
  beforeRun: number,
  tolerances: Pick<Tolerances, "closePct" | "outlierReturnPct">,
): Issue[] {
  const { comparedSubject: subject, comparedReference: reference, before } = alignment;
  const threshold = tolerances.outlierReturnPct / 100;
  const agreement = (tolerances.closePct * 2) / 100;
  const issues: Issue[] = [];
  let prevSubject = before?.subject;
  let prevReference = before?.reference;
  let prevRun = beforeRun;
  for (let i = 0; i < subject.length; i++) {
    const s = subject[i] as Bar;
    const r = reference[i] as Bar;
    const run = inRun[i] as number;
    if (prevSubject && prevReference && run === prevRun) {
      const subjectMove = s.close / prevSubject.close - 1;
      const referenceMove = r.close / prevReference.close - 1;
      // A non-positive or missing close makes no move; ohlc_invalid reports it.
      const judged = Number.isFinite(subjectMove) && Number.isFinite(referenceMove);
      if (judged && Math.abs(subjectMove) > threshold && Math.abs(subjectMove - referenceMove) > agreement) {
        const message =
          `close moved ${formatMove(subjectMove * 100)} from ${prevSubject.date} to ${s.date}; ` +
          `the reference moved ${formatMove(referenceMove * 100)}`;
        issues.push(
          issue(CheckCode.outlierReturn, message, {
            date: s.date,
            field: "close",
            subject: s.close,
            reference: r.close,
            diffPct: round(Math.abs(subjectMove - referenceMove) * 100, 4),
          }),
        );
      }
    }
    prevSubject = s;
    prevReference = r;
    prevRun = run;
  }
  return issues;
}
