import type { Bar } from "../app/domain/bar.ts";
import type { Issue } from "../app/quality/types.ts";
import { type ReportModel, reportModel, type SymbolSeries } from "../app/report/report-model.ts";

/** 15 NYSE-like sessions ending 2026-03-13. */
const DATES = Array.from({ length: 21 }, (_, i) => new Date(Date.UTC(2026, 1, 21 + i)))
  .filter((d) => d.getUTCDay() !== 0 && d.getUTCDay() !== 6)
  .map((d) => d.toISOString().slice(0, 10));

function series(seed: number, factor = 1): Bar[] {
  let price = 20 + (seed % 400);
  return DATES.map((date, i) => {
    price *= 1 + (((seed * 31 + i * 17) % 21) - 10) / 1000;
    const close = price * factor;
    return {
      date,
      open: close * 0.995,
      high: close * 1.01,
      low: close * 0.99,
      close,
      volume: 1_000_000 + seed * 7 + i,
    };
  });
}

/**
 * A report as large as a session of `symbols` symbols with `failures` failing ones gets: every failure with two
 * issues (one dated, one over a range) and both series over its window. Deterministic.
 */
export function largeReportModel(symbols = 10_000, failures = 1_000): ReportModel {
  const every = Math.floor(symbols / failures);
  const results = [];
  let failed = 0;
  const charts = new Map<string, SymbolSeries>();
  for (let i = 0; i < symbols; i++) {
    const symbol = `S${String(i).padStart(5, "0")}`;
    const failing = i % every === 0 && failed < failures;
    if (failing) failed++;
    const issues: Issue[] = failing
      ? [
          {
            code: "adjustment_mismatch",
            severity: "error",
            message: "close is 4.000× the reference from 2026-03-02 to 2026-03-13: an unapplied 4:1 split",
            from: "2026-03-02",
            to: "2026-03-13",
            factor: 4,
          },
          {
            code: "price_mismatch",
            severity: "error",
            message: "close 101.20 vs 100.00 on 2026-02-26 (+1.2 %, tolerance 1 %)",
            date: "2026-02-26",
            field: "close",
          },
        ]
      : [];
    results.push({
      symbol,
      status: failing ? ("fail" as const) : ("pass" as const),
      issues,
      metrics: {
        subjectRows: 15,
        referenceRows: 15,
        comparedRows: 15,
        maxDiffPct: failing ? 300 : 0,
        lastSubjectDate: "2026-03-13",
        lastReferenceDate: "2026-03-13",
      },
    });
    if (failing) charts.set(symbol, { subject: series(i, 4), reference: series(i) });
  }
  return reportModel(
    {
      sessionId: `large-${symbols}-${failures}`,
      status: "completed",
      asOf: "2026-03-13T21:30:00Z",
      createdAt: "2026-03-13T21:30:00Z",
      finishedAt: "2026-03-13T23:40:00Z",
      datalake: "s3://datalake/daily/{symbol}/daily.parquet",
      symbols,
      passed: symbols - failures,
      failed: failures,
      errored: 0,
      creditsUsed: symbols,
      durationMs: 7_800_000,
    },
    results,
    charts,
    "2026-03-13T23:41:00Z",
  );
}
