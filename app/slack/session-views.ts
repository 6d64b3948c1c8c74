import type { CoverageFigures } from "../pipeline/coverage.ts";
import { type FailedSymbol, workflowDetail } from "../pipeline/finalize.ts";
import { type SessionRecord, type SessionStatus, type StartedBy, sharingTheKey } from "../pipeline/model.ts";
import type { SessionStatusView } from "../pipeline/operations.ts";
import { ActionId } from "./action-ids.ts";
import {
  actions,
  button,
  context,
  escapeMrkdwn,
  fields,
  formatDuration,
  plural,
  progressBar,
  type SlackMessage,
  section,
} from "./blocks.ts";
import { type ProgressDetail, WorkflowDetailSchema } from "./event-details.ts";
import { coverageBlocks, failedSymbolBlocks, startedByText, summaryMessage } from "./summary-views.ts";

const STATUS_LABEL: Record<SessionStatus, string> = {
  running: ":hourglass_flowing_sand: running",
  completed: ":white_check_mark: completed",
  failed: ":x: failed",
  cancelled: ":no_entry_sign: cancelled",
};

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
    takenByOthers: detail.takenByOthers,
  });
}

/** `/dq status <session>`: the same picture as the live message, plus the failed symbols so far. */
export function statusMessage(view: SessionStatusView): SlackMessage {
  const s = view.session;
  if (s.status !== "running") return finalMessageOf(s, view.failedSymbols, view.session.finishedAt, view.coverage);
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
    takenByOthers: view.takenByOthers,
  });
  return {
    ...message,
    blocks: [
      ...message.blocks,
      ...coverageBlocks(view.coverage),
      ...failedSymbolBlocks(view.failedSymbols, s.counters.failed + s.counters.errored),
    ],
  };
}

/** `/dq status`: the recent sessions, newest first. */
export function sessionListMessage(sessions: readonly SessionRecord[], coverage?: CoverageFigures): SlackMessage {
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
    blocks: [
      section("*Recent dq sessions*"),
      section(lines.join("\n")),
      ...coverageBlocks(coverage),
      context("`/dq status <session>` for details"),
    ],
  };
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
  takenByOthers?: number | undefined;
}

function liveMessage(f: LiveFigures): SlackMessage {
  const bar = progressBar(f.pct);
  const eta = f.etaMs === null ? "" : ` · ETA ~${formatDuration(f.etaMs)}`;
  const paused = f.pausedUntilMs
    ? `\n:double_vertical_bar: paused until ${new Date(f.pausedUntilMs).toISOString().slice(0, 16).replace("T", " ")} UTC: the day's provider credits are spent`
    : "";
  const sharing = f.takenByOthers ? `\n:busts_in_silhouette: ${sharingTheKey(f.takenByOthers)}` : "";
  return {
    text: `dq session ${f.sessionId}: ${bar}`,
    blocks: [
      section(
        `:hourglass_flowing_sand: *dq run* \`${f.sessionId}\` — running\n\`${bar}\`  ${f.batches.finished}/${f.batches.total} batches${eta}${paused}${sharing}`,
      ),
      fields([
        `*Symbols*\n${f.symbols}`,
        `*Passed / failed / errored*\n${f.counters.passed} / ${f.counters.failed} / ${f.counters.errored}`,
        `*Credits used*\n${f.credits}`,
      ]),
      context(startedByText(f.startedBy)),
      actions(
        [
          button("Cancel", ActionId.cancel, f.sessionId, {
            style: "danger",
            confirm: {
              title: "Cancel this run?",
              text: `Session \`${f.sessionId}\` stops; what it checked so far is kept. Only dq admins may cancel.`,
              yes: "Cancel the run",
            },
          }),
        ],
        "dq-live-actions",
      ),
    ],
  };
}

/** A finished session seen through `/dq status`: the same summary its final event produced. */
function finalMessageOf(
  s: SessionRecord,
  failedSymbols: FailedSymbol[],
  finishedAt?: string,
  coverage?: CoverageFigures,
): SlackMessage {
  const end = finishedAt ? Date.parse(finishedAt) : Date.parse(s.createdAt);
  return summaryMessage(WorkflowDetailSchema.parse(workflowDetail(s, end, failedSymbols, coverage)));
}

function symbolList(symbols: readonly string[]): string {
  const shown = symbols.slice(0, 8).join(", ");
  return symbols.length > 8 ? `${shown} +${symbols.length - 8} more` : shown;
}
