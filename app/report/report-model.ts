import type { Bar } from "../domain/bar.ts";
import type { SessionRecord, StoredResult } from "../pipeline/model.ts";
import type { Issue } from "../quality/types.ts";
import { type ChartData, chartData } from "./chart-data.ts";

/** The session's figures at the top of the page. */
export interface ReportFigures {
  sessionId: string;
  status: string;
  asOf: string;
  createdAt: string;
  finishedAt?: string;
  datalake: string;
  symbols: number;
  passed: number;
  failed: number;
  /** Could not check (provider or datalake failure): never a data defect. */
  errored: number;
  creditsUsed: number;
  durationMs?: number;
}

/** One row of the symbols table: symbol, status, issue count, first issue's code, last datalake bar, max diff %. */
export type ReportRow = [string, string, number, string, string, number];

export interface ReportFailure {
  symbol: string;
  issues: Pick<Issue, "code" | "severity" | "message" | "date" | "from" | "to">[];
  chart: ChartData;
}

/** Everything the page shows, as it is embedded into it (JSON). */
export interface ReportModel {
  figures: ReportFigures;
  rows: ReportRow[];
  /** Failing symbols, worst first, each with its chart. */
  failures: ReportFailure[];
  generatedAt: string;
}

/** A symbol's two series, as read for its chart. */
export interface SymbolSeries {
  subject: readonly Bar[];
  reference: readonly Bar[];
}

type ResultLike = Pick<StoredResult, "symbol" | "status" | "issues" | "metrics">;

/** Worst first: more error-severity issues, then a larger largest difference, then the symbol. */
export function worstFirst(results: readonly ResultLike[]): ResultLike[] {
  const errors = (r: ResultLike) => r.issues.filter((i) => i.severity === "error").length;
  return results
    .filter((r) => r.status === "fail")
    .sort(
      (a, b) =>
        errors(b) - errors(a) || b.metrics.maxDiffPct - a.metrics.maxDiffPct || a.symbol.localeCompare(b.symbol),
    );
}

export function figuresOf(session: SessionRecord): ReportFigures {
  const finished = session.finishedAt ? Date.parse(session.finishedAt) : Number.NaN;
  return {
    sessionId: session.sessionId,
    status: session.status,
    asOf: session.params.asOf,
    createdAt: session.createdAt,
    ...(session.finishedAt ? { finishedAt: session.finishedAt } : {}),
    datalake: session.params.datalake,
    symbols: session.totalSymbols,
    passed: session.counters.passed,
    failed: session.counters.failed,
    errored: session.counters.errored,
    creditsUsed: session.counters.creditsUsed,
    ...(Number.isFinite(finished) ? { durationMs: finished - Date.parse(session.createdAt) } : {}),
  };
}

/**
 * The page's model: a row per result, and per failing symbol its issues and chart (a symbol with no series read
 * gets a chart of its issue dates only).
 */
export function reportModel(
  figures: ReportFigures,
  results: readonly ResultLike[],
  series: ReadonlyMap<string, SymbolSeries>,
  generatedAt: string,
): ReportModel {
  const rows: ReportRow[] = results.map((r) => [
    r.symbol,
    r.status,
    r.issues.length,
    r.issues[0]?.code ?? "",
    r.metrics.lastSubjectDate ?? "",
    Math.round(r.metrics.maxDiffPct * 100) / 100,
  ]);
  const failures = worstFirst(results).map((r) => {
    const s = series.get(r.symbol);
    return {
      symbol: r.symbol,
      issues: r.issues.map(({ code, severity, message, date, from, to }) => ({
        code,
        severity,
        message,
        date,
        from,
        to,
      })),
      chart: chartData(r.symbol, s?.subject ?? [], s?.reference ?? [], r.issues),
    };
  });
  return { figures, rows, failures, generatedAt };
}
