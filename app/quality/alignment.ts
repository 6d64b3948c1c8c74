import type { Bar } from "../domain/bar.ts";
import { lowerBound, upperBound } from "./series.ts";
import type { CheckWindow } from "./window.ts";

/** The subject laid against the reference over the window, in one merge pass over both sorted series. */
export interface Alignment {
  /** Subject bars in the window, ascending, duplicates included. */
  subject: readonly Bar[];
  /** The subject's last date in the window (undefined: no subject bar in the window). */
  lastSubjectDate: string | undefined;
  /** The subject's last date on or before the window's end, even before the window. */
  lastSubjectDateOverall: string | undefined;
  /** Dates in both sources, ascending: the subject's first bar of the date and the reference's bar. */
  comparedSubject: Bar[];
  comparedReference: Bar[];
  /** Indices into the window's reference of sessions the subject lacks, ascending (tail included). */
  missing: number[];
  /** Subject dates the reference has no session for, ascending, each once. */
  extra: string[];
  /** Subject dates present more than once, with how many times. */
  duplicates: { date: string; count: number }[];
  /** The latest date before the window in both sources, so the first return in the window has a base. */
  before: { subject: Bar; reference: Bar } | undefined;
}

/**
 * `subject` must be sorted ascending (equal dates in their original order). Subject bars on `setAside` dates (the
 * reference's bar there is not trusted) are neither compared nor extra.
 */
export function align(
  subject: readonly Bar[],
  window: Pick<CheckWindow, "reference" | "referenceStart" | "start" | "end">,
  setAside: ReadonlySet<string> = NONE,
): Alignment {
  const { reference, referenceStart } = window;
  const subjectStart = lowerBound(subject, window.start);
  const subjectEnd = upperBound(subject, window.end);
  const inWindow =
    subjectStart === 0 && subjectEnd === subject.length ? subject : subject.slice(subjectStart, subjectEnd);

  const comparedSubject: Bar[] = [];
  const comparedReference: Bar[] = [];
  const missing: number[] = [];
  const extra: string[] = [];
  const duplicates: { date: string; count: number }[] = [];

  let j = referenceStart;
  let previous: Bar | undefined;
  let duplicate: { date: string; count: number } | undefined;
  for (const bar of inWindow) {
    if (bar.date === previous?.date) {
      if (duplicate?.date === bar.date) duplicate.count++;
      else {
        duplicate = { date: bar.date, count: 2 };
        duplicates.push(duplicate);
      }
      continue;
    }
    previous = bar;
    while (j < reference.length && (reference[j] as Bar).date < bar.date) missing.push(j++);
    if (setAside.size > 0 && setAside.has(bar.date)) continue;
    const match = reference[j];
    if (match?.date === bar.date) {
      comparedSubject.push(bar);
      comparedReference.push(match);
      j++;
    } else extra.push(bar.date);
  }
  while (j < reference.length) missing.push(j++);

  return {
    subject: inWindow,
    lastSubjectDate: inWindow[inWindow.length - 1]?.date,
    lastSubjectDateOverall: subject[subjectEnd - 1]?.date,
    comparedSubject,
    comparedReference,
    missing,
    extra,
    duplicates,
    before: latestCommonBefore(subject, subjectStart, reference, referenceStart),
  };
}

const NONE: ReadonlySet<string> = new Set();

/** Walks both series back from the window's start to the latest date they share. */
function latestCommonBefore(
  subject: readonly Bar[],
  subjectStart: number,
  reference: readonly Bar[],
  referenceStart: number,
): Alignment["before"] {
  let i = subjectStart - 1;
  let j = referenceStart - 1;
  while (i >= 0 && j >= 0) {
    const s = subject[i] as Bar;
    const r = reference[j] as Bar;
    if (s.date === r.date) {
      // Duplicates: the first occurrence of the date is the one compared.
      while (i > 0 && (subject[i - 1] as Bar).date === s.date) i--;
      return { subject: subject[i] as Bar, reference: r };
    }
    if (s.date > r.date) i--;
    else j--;
  }
  return undefined;
}
