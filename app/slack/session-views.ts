import { type FailedSymbol, workflowDetail } from "../pipeline/finalize.ts";
import type { SessionRecord, SessionStatus, StartedBy } from "../pipeline/model.ts";
import type { SessionStatusView } from "../pipeline/operations.ts";
import {
  type Block,
  context,
  cutList,
  divider,
  escapeMrkdwn,
  fields,
  formatDuration,
  header,
  plural,
  progressBar,
  type SlackMessage,
  section,
} from "./blocks.ts";
import {
  type FailedSymbolDetail,
  type ProgressDetail,
  type WorkflowDetail,
  WorkflowDetailSchema,
} from "./event-details.ts";

/** Failed symbols listed in a message before the rest is cut to "+N more". */
export const FAILED_SYMBOLS_SHOWN = 10;

const STATUS_LABEL: Record<SessionStatus, string> = {
  running: ":hourglass_flowing_sand: running",
  completed: ":white_check_mark: completed",
  failed: ":x: failed",
  cancelled: ":no_entry_sign: cancelled",
};

/** The exact command that re-runs a session's failed and errored symbols. */
export function retryCommand(sessionId: string): string {
  return `/dq retry ${sessionId}`;
}

/** The live message of a Slack-started run, before the coordinator has reported anything. */
export function startingMessage(what: {
  symbols?: readonly string[];
  lookbackDays?: number;
  userId: string;
  retryOf?: string;
}): SlackMessage {
  const universe = what.symbols?.length ? symbolList(what.symbols) : "the configured universe";
  const lookback = what.lookbackDays === undefined ? "" : `, lookback ${plural(what.lookbackDays, "day")}`;
  const title = what.retryOf ? `Retrying session \`${what.retryOf}\`…` : `Starting dq run on ${universe}${lookback}…`;
  return {
    text: title,
    blocks: [section(`:rocket: ${title}`), context(`Requested by <@${what.userId}>`)],
  };
}

/** The live message when the start could not be handed on. */
export function startFailedMessage(reason: string, userId: string): SlackMessage {
  const text = escapeMrkdwn(`dq run could not start: ${reason}`);
  return { text, blocks: [section(`:warning: ${text}`), context(`Requested by <@${userId}>`)] };
}

/** SessionProgress, rendered into the live message. The ETA extrapolates the pace so far. */
export function progressMessage(detail: ProgressDetail, now: number): SlackMessage {
  const finished = detail.counters.batchesDone + detail.counters.batchesFailed;
  const total = detail.totals.batches;
  const pct = total === 0 ? 100 : (finished / total) * 100;
  const etaMs = finished > 0 && finished < total ? (detail.durationMs / finished) * (total - finished) : null;
  const paused = detail.pausedUntil ? Date.parse(detail.pausedUntil) : Number.NaN;
  return liveMessage({
    sessionId: detail.sessionId,
    pct,
    batches: { finished, total },
    symbols: detail.totals.symbols,
    counters: detail.counters,
    credits: detail.creditsUsed,
    etaMs,
    pausedUntilMs: paused > now ? paused : undefined,
    startedBy: detail.startedBy,
  });
}

/** `/dq status <session>`: the same picture as the live message, plus the failed symbols so far. */
export function statusMessage(view: SessionStatusView): SlackMessage {
  const s = view.session;
  if (s.status !== "running") return finalMessageOf(s, view.failedSymbols, view.session.finishedAt);
  const message = liveMessage({
    sessionId: s.sessionId,
    pct: view.progressPct,
    batches: { finished: view.batchesFinished, total: s.totalBatches },
    symbols: s.totalSymbols,
    counters: s.counters,
    credits: s.counters.creditsUsed,
    etaMs: view.etaMs,
    pausedUntilMs: s.pausedUntil ? Date.parse(s.pausedUntil) : undefined,
    startedBy: s.startedBy,
  });
  return {
    ...message,
    blocks: [...message.blocks, ...failedSymbolBlocks(view.failedSymbols, s.counters.failed + s.counters.errored)],
  };
}

/** `/dq status`: the recent sessions, newest first. */
export function sessionListMessage(sessions: readonly SessionRecord[]): SlackMessage {
  if (sessions.length === 0)
    return { text: "No dq sessions yet.", blocks: [section("No dq sessions yet. Start one with `/dq run`.")] };
  const lines = sessions.map((s) => {
    const finished = s.counters.batchesDone + s.counters.batchesFailed;
    const progress =
      s.status === "running" ? ` ${progressBar(s.totalBatches ? (finished / s.totalBatches) * 100 : 100)}` : "";
    return `\`${s.sessionId}\` ${STATUS_LABEL[s.status]}${progress} · ${plural(s.totalSymbols, "symbol")} · passed ${s.counters.passed}, failed ${s.counters.failed}, errored ${s.counters.errored} · ${s.createdAt.slice(0, 16).replace("T", " ")} UTC`;
  });
  return {
    text: `${plural(sessions.length, "recent dq session")}`,
    blocks: [section("*Recent dq sessions*"), section(lines.join("\n")), context("`/dq status <session>` for details")],
  };
}

/** WorkflowCompleted / WorkflowFailed: the run's summary, which replaces the live message. */
export function summaryMessage(detail: WorkflowDetail): SlackMessage {
  const { counters } = detail;
  const title = `dq session ${detail.sessionId} ${detail.status}`;
  const blocks: Block[] = [
    header(`dq run ${detail.status === "completed" ? "completed" : detail.status}`),
    fields([
      `*Status*\n${STATUS_LABEL[detail.status]}`,
      `*Session*\n\`${detail.sessionId}\``,
      `*Duration*\n${formatDuration(detail.durationMs)}`,
      `*Symbols*\n${detail.totals.symbols}`,
      `*Passed / failed / errored*\n${counters.passed} / ${counters.failed} / ${counters.errored}`,
      `*Credits used*\n${detail.creditsUsed}${counters.creditsWasted ? ` (${counters.creditsWasted} wasted)` : ""}`,
    ]),
  ];
  if (detail.status !== "completed") {
    const what = [`*What failed*: ${escapeMrkdwn(detail.error ?? "the session did not complete")}`];
    if (detail.failureStep) what.push(`*Step*: ${escapeMrkdwn(detail.failureStep)}`);
    what.push(`*To retry*: \`${retryCommand(detail.sessionId)}\``);
    blocks.push(section(what.join("\n")));
  }
  blocks.push(...failedSymbolBlocks(detail.failedSymbols, counters.failed + counters.errored));
  if (detail.status === "completed" && counters.failed + counters.errored > 0)
    blocks.push(context(`Re-check the failed and errored symbols with \`${retryCommand(detail.sessionId)}\``));
  blocks.push(context(startedByText(detail.startedBy)));
  const counts = `passed ${counters.passed}, failed ${counters.failed}, errored ${counters.errored}`;
  return { text: `${title}: ${counts}`, blocks };
}

interface LiveFigures {
  sessionId: string;
  pct: number;
  batches: { finished: number; total: number };
  symbols: number;
  counters: { passed: number; failed: number; errored: number };
  credits: number;
  etaMs: number | null;
  pausedUntilMs: number | undefined;
  startedBy: StartedBy | { kind: string; user?: string };
}

function liveMessage(f: LiveFigures): SlackMessage {
  const bar = progressBar(f.pct);
  const eta = f.etaMs === null ? "" : ` · ETA ~${formatDuration(f.etaMs)}`;
  const paused = f.pausedUntilMs
    ? `\n:double_vertical_bar: paused until ${new Date(f.pausedUntilMs).toISOString().slice(0, 16).replace("T", " ")} UTC: the day's provider credits are spent`
    : "";
  return {
    text: `dq session ${f.sessionId}: ${bar}`,
    blocks: [
      section(
        `:hourglass_flowing_sand: *dq run* \`${f.sessionId}\` — running\n\`${bar}\`  ${f.batches.finished}/${f.batches.total} batches${eta}${paused}`,
      ),
      fields([
        `*Symbols*\n${f.symbols}`,
        `*Passed / failed / errored*\n${f.counters.passed} / ${f.counters.failed} / ${f.counters.errored}`,
        `*Credits used*\n${f.credits}`,
      ]),
      context(startedByText(f.startedBy)),
    ],
  };
}

/** A finished session seen through `/dq status`: the same summary its final event produced. */
function finalMessageOf(s: SessionRecord, failedSymbols: FailedSymbol[], finishedAt?: string): SlackMessage {
  const end = finishedAt ? Date.parse(finishedAt) : Date.parse(s.createdAt);
  return summaryMessage(WorkflowDetailSchema.parse(workflowDetail(s, end, failedSymbols)));
}

function failedSymbolBlocks(failed: readonly FailedSymbolDetail[], total: number): Block[] {
  if (failed.length === 0) return [];
  const lines = failed.map((f) => `• *${escapeMrkdwn(f.symbol)}* (${f.status}) ${escapeMrkdwn(oneLine(f.issue))}`);
  const shown = cutList(lines, FAILED_SYMBOLS_SHOWN, Math.max(total, failed.length));
  return [divider, section(`*Failed symbols*\n${shown.join("\n")}`)];
}

function startedByText(startedBy: { kind: string; user?: string }): string {
  if (startedBy.kind === "slack" && startedBy.user) return `Started from Slack by <@${startedBy.user}>`;
  if (startedBy.kind === "schedule") return "Started by the daily schedule";
  return `Started by ${escapeMrkdwn(startedBy.kind)}${startedBy.user ? ` (${escapeMrkdwn(startedBy.user)})` : ""}`;
}

function symbolList(symbols: readonly string[]): string {
  const shown = symbols.slice(0, 8).join(", ");
  return symbols.length > 8 ? `${shown} +${symbols.length - 8} more` : shown;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}
