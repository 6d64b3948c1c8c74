/** Small statistics for benchmark figures. */

/** The q-quantile (0..1) by nearest rank on a sorted copy; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Rounds to `digits` decimals, for figures written to the results. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * How the provider saw the credit slots: arrivals grouped into slots (an arrival more than half a window after the
 * previous one starts a new slot), the mean gap between consecutive slots' first arrivals in windows, and the spread
 * of each slot's arrivals (first to last) at its median and worst.
 */
export function slotArrivals(
  arrivals: readonly number[],
  windowMs: number,
): { slots: number; meanGapWindows: number; spreadMs: { p50: number; max: number } } {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const slots: number[][] = [];
  for (const at of sorted) {
    const last = slots.at(-1);
    if (last && at - (last.at(-1) as number) <= windowMs / 2) last.push(at);
    else slots.push([at]);
  }
  const firsts = slots.map((s) => s[0] as number);
  const gaps = firsts.slice(1).map((at, i) => at - (firsts[i] as number));
  const spreads = slots.map((s) => (s.at(-1) as number) - (s[0] as number));
  return {
    slots: slots.length,
    meanGapWindows: gaps.length === 0 ? Number.NaN : round(sum(gaps) / gaps.length / windowMs, 4),
    spreadMs: { p50: round(median(spreads), 0), max: round(Math.max(0, ...spreads), 0) },
  };
}
