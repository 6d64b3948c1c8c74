import type { SymbolResult } from "../quality/types.ts";

export interface ReportSummary {
  symbols: number;
  passed: number;
  failed: number;
  errored: number;
  issues: Record<string, number>;
}

export interface JsonReport {
  asOf: string;
  results: Pick<SymbolResult, "symbol" | "status" | "issues" | "metrics" | "error">[];
  summary: ReportSummary;
}

export function summarizeResults(results: readonly Pick<SymbolResult, "status" | "issues">[]): ReportSummary {
  const summary: ReportSummary = { symbols: results.length, passed: 0, failed: 0, errored: 0, issues: {} };
  for (const r of results) {
    if (r.status === "pass") summary.passed++;
    else if (r.status === "fail") summary.failed++;
    else summary.errored++;
    for (const issue of r.issues) summary.issues[issue.code] = (summary.issues[issue.code] ?? 0) + 1;
  }
  return summary;
}

export function jsonReport(asOf: string, results: readonly SymbolResult[]): JsonReport {
  return {
    asOf,
    results: results.map((r) => ({
      symbol: r.symbol,
      status: r.status,
      issues: r.issues,
      metrics: r.metrics,
      ...(r.error ? { error: r.error } : {}),
    })),
    summary: summarizeResults(results),
  };
}

const STATUS_MARK: Record<SymbolResult["status"], string> = { pass: "PASS", fail: "FAIL", error: "ERROR" };

/** A readable table: one row per symbol, then every issue of the symbols that have any. */
export function tableReport(asOf: string, results: readonly SymbolResult[], title = "dq report"): string {
  const lines: string[] = [];
  const width = Math.max(6, ...results.map((r) => r.symbol.length));
  lines.push(`${title} as of ${asOf}`);
  lines.push("");
  lines.push(`${"SYMBOL".padEnd(width)}  STATUS  ROWS  LAST BAR    ISSUES`);
  for (const r of results) {
    const codes = [...new Set(r.issues.map((i) => i.code))].join(", ") || (r.error ? r.error.message : "-");
    lines.push(
      `${r.symbol.padEnd(width)}  ${STATUS_MARK[r.status].padEnd(6)}  ${String(r.metrics.subjectRows).padStart(4)}  ${(r.metrics.lastSubjectDate ?? "-").padEnd(10)}  ${codes}`,
    );
  }
  const withIssues = results.filter((r) => r.issues.length > 0);
  if (withIssues.length > 0) {
    lines.push("");
    lines.push("Issues:");
    for (const r of withIssues) {
      for (const i of r.issues) {
        const when = i.date ?? (i.from ? `${i.from}..${i.to}` : "");
        lines.push(
          `  ${r.symbol.padEnd(width)}  ${i.severity.padEnd(7)}  ${i.code.padEnd(19)} ${when.padEnd(22)} ${i.message}`,
        );
      }
    }
  }
  const s = summarizeResults(results);
  lines.push("");
  lines.push(`${s.symbols} symbols: ${s.passed} passed, ${s.failed} failed, ${s.errored} could not be validated`);
  return lines.join("\n");
}
