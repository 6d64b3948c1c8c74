import type { Bar } from "../domain/bar.ts";
import type { Issue, PriceField } from "../quality/types.ts";

/** One field's values on each of the chart's dates; null where the series has no bar (or a blank cell). */
export type FieldValues = Record<PriceField, (number | null)[]>;

/** An issue drawn on the chart: a line at one date or a band over a range. */
export interface ChartMark {
  from: string;
  to: string;
  code: string;
  label: string;
}

/** What one symbol's chart draws, the same for the page (in the browser) and the PNG (on the server). */
export interface ChartData {
  symbol: string;
  dates: string[];
  subject: FieldValues;
  reference: FieldValues;
  marks: ChartMark[];
  /** Drawn as a third series on its own axis: subject close / reference close (an unapplied split shows as a step). */
  showRatio: boolean;
}

export const PRICE_FIELDS: readonly PriceField[] = ["close", "open", "high", "low", "volume"];

/** Prices to 4 decimals (a report of 10,000 symbols stays small); volume as it is. */
function plotted(value: number | null, field: PriceField): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return field === "volume" ? value : Math.round(value * 1e4) / 1e4;
}

function valuesOn(dates: readonly string[], bars: readonly Bar[]): FieldValues {
  const byDate = new Map<string, Bar>();
  for (const bar of bars) if (!byDate.has(bar.date)) byDate.set(bar.date, bar);
  const out: FieldValues = { open: [], high: [], low: [], close: [], volume: [] };
  for (const date of dates) {
    const bar = byDate.get(date);
    for (const field of PRICE_FIELDS) out[field].push(bar ? plotted(bar[field], field) : null);
  }
  return out;
}

/** The issue's dates as a mark; undefined for an issue with no date (no_data, a provider refusal). */
export function markOf(issue: Issue): ChartMark | undefined {
  const from = issue.date ?? issue.from;
  const to = issue.date ?? issue.to ?? issue.from;
  if (!from || !to) return undefined;
  return { from, to, code: issue.code, label: issue.code };
}

/**
 * A symbol's chart: the union of the subject's and the reference's dates (and every issue's, so a mark always has
 * its place on the axis), each series aligned to it.
 */
export function chartData(
  symbol: string,
  subject: readonly Bar[],
  reference: readonly Bar[],
  issues: readonly Issue[],
): ChartData {
  const marks = issues.map(markOf).filter((m): m is ChartMark => m !== undefined);
  const dates = [
    ...new Set([
      ...subject.map((b) => b.date),
      ...reference.map((b) => b.date),
      ...marks.flatMap((m) => [m.from, m.to]),
    ]),
  ].sort();
  return {
    symbol,
    dates,
    subject: valuesOn(dates, subject),
    reference: valuesOn(dates, reference),
    marks,
    showRatio: issues.some((i) => i.code === "adjustment_mismatch"),
  };
}
