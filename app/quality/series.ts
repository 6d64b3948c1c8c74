import type { Bar } from "../domain/bar.ts";

const byDate = (a: Bar, b: Bar): number => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);

/**
 * Bars in ascending date order, equal dates in input order (the sort is stable). Returns the input itself when it
 * is already in order, which is the common case and costs no copy.
 */
export function sortByDate(bars: readonly Bar[]): readonly Bar[] {
  for (let i = 1; i < bars.length; i++) {
    if ((bars[i] as Bar).date < (bars[i - 1] as Bar).date) return bars.slice().sort(byDate);
  }
  return bars;
}

/** Sorted bars with each date once: the first occurrence wins. Returns the input when it has no duplicate. */
export function dedupeSorted(sorted: readonly Bar[]): readonly Bar[] {
  let i = 1;
  while (i < sorted.length && (sorted[i] as Bar).date !== (sorted[i - 1] as Bar).date) i++;
  if (i >= sorted.length) return sorted;
  const unique = sorted.slice(0, i);
  for (; i < sorted.length; i++) {
    const bar = sorted[i] as Bar;
    if (bar.date !== (unique[unique.length - 1] as Bar).date) unique.push(bar);
  }
  return unique;
}

/** Index of the first bar dated on or after `date` in sorted bars (bars.length when none). */
export function lowerBound(sorted: readonly Bar[], date: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as Bar).date < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first bar dated after `date` in sorted bars (bars.length when none). */
export function upperBound(sorted: readonly Bar[], date: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as Bar).date <= date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
