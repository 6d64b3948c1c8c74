import { describeCoverage } from "../pipeline/coverage.ts";
import { sharingTheKey } from "../pipeline/model.ts";
import type { SessionStatusView } from "../pipeline/operations.ts";

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

export function progressBar(pct: number, width = 20): string {
  const filled = Math.round((Math.min(100, Math.max(0, pct)) / 100) * width);
  return `${"▓".repeat(filled)}${"░".repeat(width - filled)}`;
}

/** `dq status` as text: the same facts the Slack status shows. */
export function formatStatus(view: SessionStatusView, now: number): string {
  const { session: s } = view;
  const c = s.counters;
  const lines = [
    `session ${s.sessionId}  ${s.status.toUpperCase()}${s.pausedUntil ? ` (paused until ${s.pausedUntil}: daily credits spent)` : ""}`,
    `  ${progressBar(view.progressPct)} ${view.progressPct}%  ${view.batchesFinished}/${s.totalBatches} batches, ${c.passed + c.failed + c.errored}/${s.totalSymbols} symbols`,
    `  passed ${c.passed}, failed ${c.failed}, errored ${c.errored}; credits used ${c.creditsUsed}${c.creditsWasted ? `, wasted ${c.creditsWasted}` : ""}`,
    `  started ${s.createdAt} by ${s.startedBy.kind}${s.startedBy.user ? ` (${s.startedBy.user})` : ""}; ${
      s.finishedAt
        ? `took ${formatDuration(Date.parse(s.finishedAt) - Date.parse(s.createdAt))}`
        : `running for ${formatDuration(now - Date.parse(s.createdAt))}, ETA ${formatDuration(view.etaMs ?? 0)}`
    }`,
    `  datalake ${s.params.datalake}, lookback ${s.params.lookbackDays} days, as of ${s.params.asOf}${s.params.retryOf ? `, retry of ${s.params.retryOf}` : ""}`,
  ];
  if (view.takenByOthers) lines.push(`  ${sharingTheKey(view.takenByOthers)}`);
  if (view.coverage) {
    const mode =
      s.params.coverage?.mode === "rotation" ? ` (rotation: today's slice of ${s.params.coverage.universeSize})` : "";
    lines.push(`  coverage${mode}: ${describeCoverage(view.coverage)}`);
    if (view.coverage.lookbackWarning) lines.push(`  warning: ${view.coverage.lookbackWarning}`);
  }
  if (s.error) lines.push(`  error: ${s.error}`);
  if (view.failedSymbols.length > 0) {
    lines.push("  failed symbols:");
    for (const f of view.failedSymbols) lines.push(`    ${f.symbol.padEnd(8)} ${f.status.padEnd(5)} ${f.issue}`);
  }
  return lines.join("\n");
}
