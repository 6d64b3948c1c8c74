import type { Bar } from "../domain/bar.ts";
import { formatNumber, issue, round, sessions } from "./issues.ts";
import { CheckCode, type Issue, type Tolerances } from "./types.ts";

/** Compared sessions [start, end] whose subject/reference close ratio holds near `median`. */
export interface AdjustmentRun {
  start: number;
  end: number;
  median: number;
}

/**
 * Maximal runs of two or more consecutive compared sessions whose close ratios all lie within the spread of the
 * run's median, where the median is off 1 by more than the close tolerance: an unapplied split or dividend
 * adjustment scales every price before its ex-date by one factor. Runs are grown greedily left to right, and a
 * run that breaks restarts at the session that broke it.
 *
 * The median is only computed when the run's min and max cannot settle the question on their own: a range within
 * the spread always fits (the median lies inside it), a range beyond (1 + spread) / (1 - spread) never does. So
 * ordinary data, whose ratios hover within a few hundredths of a percent of 1, costs one pass and no sorting.
 */
export function findAdjustmentRuns(
  subject: readonly Bar[],
  reference: readonly Bar[],
  tolerances: Pick<Tolerances, "closePct" | "adjustmentRatioSpreadPct">,
  absolute = 0,
): AdjustmentRun[] {
  const spread = tolerances.adjustmentRatioSpreadPct / 100;
  const offBy = tolerances.closePct / 100;
  const ratios = closeRatios(subject, reference, absolute);
  const runs: AdjustmentRun[] = [];
  const n = ratios.length;
  let i = 0;
  while (i < n) {
    let min = ratios[i] as number;
    if (Number.isNaN(min)) {
      i++;
      continue;
    }
    let max = min;
    let j = i + 1;
    for (; j < n; j++) {
      const ratio = ratios[j] as number;
      if (Number.isNaN(ratio)) break;
      const lo = Math.min(ratio, min);
      const hi = Math.max(ratio, max);
      if (hi > lo * (1 + spread)) {
        if (hi * (1 - spread) > lo * (1 + spread)) break;
        const median = medianOf(ratios, i, j + 1);
        if (lo < median * (1 - spread) || hi > median * (1 + spread)) break;
      }
      min = lo;
      max = hi;
    }
    const nearOne = min >= 1 - offBy && max <= 1 + offBy;
    if (j - i >= 2 && !nearOne) {
      const median = medianOf(ratios, i, j);
      if (Math.abs(median - 1) > offBy) runs.push({ start: i, end: j - 1, median });
    }
    i = j;
  }
  return runs;
}

/** For each compared session, the index of the run it belongs to, or -1. */
export function runMembership(runs: readonly AdjustmentRun[], length: number): Int32Array {
  const member = new Int32Array(length).fill(-1);
  runs.forEach((run, index) => {
    member.fill(index, run.start, run.end + 1);
  });
  return member;
}

/** Whether a ratio (e.g. of a session just before the window) would belong to `run`. */
export function fitsRun(ratio: number | undefined, run: AdjustmentRun, spreadPct: number): boolean {
  return ratio !== undefined && Math.abs(ratio / run.median - 1) <= spreadPct / 100;
}

export function adjustmentIssues(runs: readonly AdjustmentRun[], subject: readonly Bar[], currency?: string): Issue[] {
  return runs.map(({ start, end, median }) => {
    const factor = Number(median.toPrecision(4));
    const from = (subject[start] as Bar).date;
    const to = (subject[end] as Bar).date;
    const count = end - start + 1;
    const message =
      `close is ${formatNumber(factor)}x the reference for ${sessions(count)} from ${from} to ${to}: ` +
      `looks like ${likelyCause(median, currency)}`;
    return issue(CheckCode.adjustmentMismatch, message, {
      from,
      to,
      count,
      factor,
      diffPct: round(Math.abs(median - 1) * 100, 4),
    });
  });
}

// Split ratios seen in practice besides whole numbers: 3:2, 4:3, 5:4, 5:3, 5:2, 7:2.
const FRACTIONS: readonly (readonly [number, number])[] = [
  [3, 2],
  [4, 3],
  [5, 4],
  [5, 3],
  [5, 2],
  [7, 2],
];
const NEAR = 0.01;

/** Currencies quoted in minor units by their exchanges (the answer's `currency`), and their major unit. */
const MINOR_UNITS: Readonly<Record<string, { minor: string; major: string }>> = {
  GBp: { minor: "pence (GBp)", major: "pounds (GBP)" },
  GBX: { minor: "pence (GBX)", major: "pounds (GBP)" },
  GBP: { minor: "pence (GBp)", major: "pounds (GBP)" },
  ZAc: { minor: "cents (ZAc)", major: "rand (ZAR)" },
  ZAR: { minor: "cents (ZAc)", major: "rand (ZAR)" },
  ILA: { minor: "agorot (ILA)", major: "shekels (ILS)" },
  ILS: { minor: "agorot (ILA)", major: "shekels (ILS)" },
};

/**
 * What a constant subject/reference factor most likely is. A factor of 4 means the subject still holds prices from
 * before a 4:1 split; 0.1 means it missed a 1:10 reverse split. Anything else small is an adjustment the reference
 * does not apply (Twelve Data adjusts splits, not dividends).
 */
export function likelyCause(factor: number, currency?: string): string {
  const up = factor >= 1;
  const size = up ? factor : 1 / factor;
  const near = (target: number) => Math.abs(size / target - 1) <= NEAR;
  const minor = currency === undefined ? undefined : MINOR_UNITS[currency];
  if (minor !== undefined && near(100)) {
    return up
      ? `prices in ${minor.minor} where the reference quotes ${minor.major} (x100), not a split`
      : `prices in ${minor.major} where the reference quotes ${minor.minor} (1/100), not a split`;
  }
  const whole = Math.round(size);
  const split = whole >= 2 && near(whole) ? ([whole, 1] as const) : FRACTIONS.find(([a, b]) => near(a / b));
  if (!split) return "an unapplied adjustment (dividend?)";
  const [a, b] = split;
  return up ? `an unapplied ${a}:${b} split` : `an unapplied ${b}:${a} reverse split`;
}

/**
 * subject.close / reference.close per compared session; NaN where either close is not a positive number; 1 where
 * the closes are within `absolute` of each other (a rounded penny stock is not an adjustment).
 */
function closeRatios(subject: readonly Bar[], reference: readonly Bar[], absolute: number): Float64Array {
  const ratios = new Float64Array(subject.length);
  for (let i = 0; i < ratios.length; i++) {
    const s = (subject[i] as Bar).close;
    const r = (reference[i] as Bar).close;
    const ratio = s / r;
    ratios[i] = !(s > 0 && r > 0 && Number.isFinite(ratio)) ? Number.NaN : Math.abs(s - r) <= absolute ? 1 : ratio;
  }
  return ratios;
}

/** Median of values[from, to). */
function medianOf(values: Float64Array, from: number, to: number): number {
  const sorted = values.slice(from, to).sort();
  const mid = sorted.length >>> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
