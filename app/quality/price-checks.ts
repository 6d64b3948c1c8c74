import type { Bar } from "../domain/bar.ts";
import { formatNumber, formatPct, issue, round } from "./issues.ts";
import { CheckCode, type Issue, type Tolerances } from "./types.ts";

const FIELDS = ["close", "open", "high", "low"] as const;

/** |s - r| / |r| in percent; NaN where either side is not a usable number. */
export function diffPct(subject: number, reference: number): number {
  if (!Number.isFinite(subject) || !Number.isFinite(reference) || reference === 0) return Number.NaN;
  return (Math.abs(subject - reference) / Math.abs(reference)) * 100;
}

/** Beyond the relative tolerance and beyond `absolute` (ticks x tick size) too. */
function off(s: number, r: number, pct: number, absolute: number): boolean {
  return diffPct(s, r) > pct && Math.abs(s - r) > absolute;
}

/**
 * One issue per compared date where a price is off beyond tolerance, naming the field furthest off (the others
 * are listed). A price within `absolute` of the reference agrees whatever the percentage (a datalake rounded to
 * cents on a penny stock). Sessions inside an adjustment run are skipped: the run is reported once on its own.
 */
export function priceMismatchIssues(
  subject: readonly Bar[],
  reference: readonly Bar[],
  inRun: Int32Array,
  tolerances: Pick<Tolerances, "closePct" | "openHighLowPct">,
  absolute = 0,
): Issue[] {
  const { closePct, openHighLowPct } = tolerances;
  const issues: Issue[] = [];
  for (let i = 0; i < subject.length; i++) {
    if ((inRun[i] as number) >= 0) continue;
    const s = subject[i] as Bar;
    const r = reference[i] as Bar;
    // The hot path: four comparisons and no allocation for a date that agrees.
    if (
      !off(s.close, r.close, closePct, absolute) &&
      !off(s.open, r.open, openHighLowPct, absolute) &&
      !off(s.high, r.high, openHighLowPct, absolute) &&
      !off(s.low, r.low, openHighLowPct, absolute)
    )
      continue;
    issues.push(mismatch(s, r, tolerances, absolute));
  }
  return issues;
}

function mismatch(
  s: Bar,
  r: Bar,
  tolerances: Pick<Tolerances, "closePct" | "openHighLowPct">,
  absolute: number,
): Issue {
  const found = FIELDS.map((field) => {
    const tolerance = field === "close" ? tolerances.closePct : tolerances.openHighLowPct;
    return { field, tolerance, pct: diffPct(s[field], r[field]) };
  }).filter(({ field, tolerance }) => off(s[field], r[field], tolerance, absolute));
  // Worst first; the sort is stable, so close wins a tie.
  found.sort((a, b) => b.pct - a.pct);
  const [worst, ...others] = found as [(typeof found)[number], ...typeof found];
  const also = others.length > 0 ? `; ${others.map((o) => o.field).join(", ")} off too` : "";
  const message =
    `${worst.field} ${formatNumber(s[worst.field])} vs reference ${formatNumber(r[worst.field])} on ${s.date}: ` +
    `${formatPct(worst.pct)} off (tolerance ${formatPct(worst.tolerance)})${also}`;
  return issue(CheckCode.priceMismatch, message, {
    date: s.date,
    field: worst.field,
    subject: s[worst.field],
    reference: r[worst.field],
    diffPct: round(worst.pct, 4),
  });
}

/** The largest close difference over compared sessions outside adjustment runs, percent; 0 when none (NaN skipped). */
export function maxCloseDiffPct(subject: readonly Bar[], reference: readonly Bar[], inRun: Int32Array): number {
  let max = 0;
  for (let i = 0; i < subject.length; i++) {
    if ((inRun[i] as number) >= 0) continue;
    const pct = diffPct((subject[i] as Bar).close, (reference[i] as Bar).close);
    if (pct > max) max = pct;
  }
  return round(max, 4);
}

/** Volume off beyond tolerance. Skipped where either side has no volume, and inside adjustment runs (a split scales volume too). */
export function volumeMismatchIssues(
  subject: readonly Bar[],
  reference: readonly Bar[],
  inRun: Int32Array,
  tolerances: Pick<Tolerances, "volumePct">,
): Issue[] {
  const issues: Issue[] = [];
  for (let i = 0; i < subject.length; i++) {
    if ((inRun[i] as number) >= 0) continue;
    const s = (subject[i] as Bar).volume;
    const r = (reference[i] as Bar).volume;
    if (s === null || r === null || !(r > 0)) continue;
    const pct = diffPct(s, r);
    if (!(pct > tolerances.volumePct)) continue;
    const date = (subject[i] as Bar).date;
    issues.push(
      issue(
        CheckCode.volumeMismatch,
        `volume ${formatNumber(s)} vs reference ${formatNumber(r)} on ${date}: ${formatPct(pct)} off (tolerance ${formatPct(tolerances.volumePct)})`,
        { date, field: "volume", subject: s, reference: r, diffPct: round(pct, 4) },
      ),
    );
  }
  return issues;
}
