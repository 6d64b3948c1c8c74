import type { Clock } from "../domain/clock.ts";
import { systemClock } from "../domain/clock.ts";
import type { Log } from "../pipeline/context.ts";
import type { StoredResult } from "../pipeline/model.ts";
import { DetailType, EVENT_SOURCE } from "../wiring.ts";
import type { SlackMessage } from "./blocks.ts";
import type { SlackChat } from "./chat.ts";
import { describe } from "./dq-command.ts";
import {
  AlarmMessageSchema,
  ProgressDetailSchema,
  type WorkflowDetail,
  WorkflowDetailSchema,
} from "./event-details.ts";
import { type Findings, findingsOf, snapshotOf, universeKeyOf } from "./findings.ts";
import { linkFor, mentionOf, NotifyMode, type NotifySettings, quietAt } from "./notify-settings.ts";
import type { SessionResults, SlackState, SummaryRecord, UniverseSnapshot } from "./ports.ts";
import { alarmMessage, noticeMessage } from "./reply-views.ts";
import { progressMessage } from "./session-views.ts";
import { finishedLiveMessage, headlineOf, summaryMessage, threadMessages } from "./summary-views.ts";

export interface NotifierDeps {
  /** Channel messages; on Lambda a PacedChat, so a summary and its thread stay within Slack's posting rate. */
  chat: SlackChat;
  /** Where scheduled and CLI runs report, and where alarms go (DQ_SLACK_CHANNEL). */
  defaultChannel: string;
  log: Log;
  /** The session and its results, paged from the store: the summary and its thread cover every failing symbol. */
  results: SessionResults;
  /** Mutes, each universe's last failures, and what was posted per session. */
  state: SlackState;
  /** Who is mentioned, when, and the summary's links. @default no mention, every summary, no links */
  settings?: NotifySettings;
  /** @default Date.now */
  clock?: Clock;
  /**
   * EventBridge does not keep order: the last SessionProgress can reach Slack after the summary and overwrite it.
   * The final live message is written again this long after the first write, which repairs that. 0 turns it off.
   * @default 2000
   */
  settleMs?: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Called with every message posted or updated, e.g. to print it in the local stack's terminal. */
  onMessage?: (message: SlackMessage & { channel: string; ts: string; kind: NotificationKind }) => void;
}

export type NotificationKind = "summary" | "thread" | "live" | "progress" | "alarm";

/** What one notification did, for logs and tests. */
export type NotificationOutcome =
  | { kind: NotificationKind; action: "posted" | "updated"; channel: string; ts: string; mentioned?: boolean }
  | { kind: "ignored"; reason: string };

/** A claim on a session's summary older than this belongs to a notifier that died: it is taken over. */
const SUMMARY_CLAIM_STALE_MS = 5 * 60_000;
const RESULTS_PAGE = 1000;

/**
 * EventBridge events (WorkflowCompleted, WorkflowFailed, SessionProgress) and SNS-delivered CloudWatch alarms, to
 * Slack. A session that passed turns its live message into its summary (or posts it, for a scheduled run, unless
 * only failures are notified). A session with failures posts its summary as a new message, so it notifies, with
 * the on-call mention (outside quiet hours) and the "Retry failed" button, and every failing symbol, grouped by
 * check, in its thread; its live message then only says where the summary is. Mutes leave symbols out of the
 * summary, never out of the results. A malformed event is logged and dropped (a retry would not fix it); a summary
 * that cannot be delivered throws, so Lambda's retries get another chance, and what was posted is recorded first,
 * so a retry never posts (or mentions) twice.
 */
export function createNotifier(deps: NotifierDeps): (event: unknown) => Promise<NotificationOutcome[]> {
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const settleMs = deps.settleMs ?? 2000;
  const settings = deps.settings ?? {};
  const emit = (kind: NotificationKind, channel: string, ts: string, message: SlackMessage) =>
    deps.onMessage?.({ ...message, channel, ts, kind });

  async function summary(raw: unknown): Promise<NotificationOutcome[]> {
    const parsed = WorkflowDetailSchema.safeParse(raw);
    if (!parsed.success) return [ignored(`malformed workflow detail: ${parsed.error.issues[0]?.message}`)];
    const detail = parsed.data;
    const now = clock();
    const findings = await findingsFor(detail, now);
    const head = headlineOf(detail, findings);
    const claim = await deps.state.claimSummary(detail.sessionId, now, SUMMARY_CLAIM_STALE_MS);
    if (!claim) return [ignored(`summary of ${detail.sessionId} already posted`)];
    const links = {
      ...(settings.reportUrl ? { report: linkFor(settings.reportUrl, detail.sessionId) } : {}),
      ...(settings.logsUrl ? { logs: linkFor(settings.logsUrl, detail.sessionId) } : {}),
    };
    try {
      return head.problem
        ? await problemSummary(detail, findings, claim, links, now)
        : await passedSummary(detail, findings, claim, links);
    } catch (error) {
      // Released, so Lambda's retry of this event takes over where this attempt stopped.
      await deps.state.releaseSummary(detail.sessionId).catch(() => {});
      throw error;
    }
  }

  /** A session that passed: its live message becomes the summary; a scheduled one posts it (unless failures only). */
  async function passedSummary(
    detail: WorkflowDetail,
    findings: Findings,
    claim: SummaryRecord,
    links: { report?: string; logs?: string },
  ): Promise<NotificationOutcome[]> {
    const live = detail.slack;
    const outcomes: NotificationOutcome[] = [];
    const message = summaryMessage(detail, { findings, links });
    if (live && (await updateLive(live, message, detail.sessionId))) {
      outcomes.push({ kind: "summary", action: "updated", ...live });
      await settle(live, message, detail.sessionId);
    } else if (settings.notify === NotifyMode.failures && !live) {
      outcomes.push({ kind: "ignored", reason: "the session passed; only failures are notified" });
    } else {
      const posted = await post(deps.defaultChannel, message, "summary");
      outcomes.push({ kind: "summary", action: "posted", ...posted });
    }
    await deps.state.saveSummary({ ...claim, done: true });
    return outcomes;
  }

  /** A session with failures: the live message says where the summary is; the summary and its thread are posted. */
  async function problemSummary(
    detail: WorkflowDetail,
    findings: Findings,
    claim: SummaryRecord,
    links: { report?: string; logs?: string },
    now: number,
  ): Promise<NotificationOutcome[]> {
    const outcomes: NotificationOutcome[] = [];
    const live = detail.slack;
    const finished = finishedLiveMessage(detail, findings);
    const liveShown = live ? await updateLive(live, finished, detail.sessionId) : false;
    if (live && liveShown) outcomes.push({ kind: "live", action: "updated", ...live });
    const quiet = quietAt(settings.quietHours, now);
    // A cancelled session was stopped by someone on purpose: nobody needs paging for it.
    const wanted = settings.oncall !== undefined && detail.status !== "cancelled";
    const mention = wanted && !quiet.quiet ? mentionOf(settings.oncall as string) : undefined;
    const threads = threadMessages(detail, findings);
    let record = claim;
    if (!record.ts) {
      const message = summaryMessage(detail, {
        findings,
        links,
        threaded: threads.length > 0,
        ...(mention ? { mention } : {}),
        ...(wanted && quiet.quiet && quiet.until ? { quietUntil: quiet.until } : {}),
      });
      const preferred = live && liveShown ? live.channel : deps.defaultChannel;
      const posted = await post(preferred, message, "summary").catch(async (error: unknown) => {
        if (preferred === deps.defaultChannel) throw error;
        deps.log.warn("summary not posted in the run's channel; posting it to the default channel", {
          sessionId: detail.sessionId,
          error: describe(error),
        });
        return post(deps.defaultChannel, message, "summary");
      });
      record = { ...record, channel: posted.channel, ts: posted.ts, threadPosted: 0 };
      await deps.state.saveSummary(record);
      outcomes.push({ kind: "summary", action: "posted", ...posted, mentioned: mention !== undefined });
    }
    const channel = record.channel as string;
    const ts = record.ts as string;
    for (let i = record.threadPosted; i < threads.length; i++) {
      const reply = await deps.chat.post(channel, threads[i] as SlackMessage, { threadTs: ts });
      emit("thread", reply.channel, reply.ts, threads[i] as SlackMessage);
      record = { ...record, threadPosted: i + 1 };
      await deps.state.saveSummary(record);
      outcomes.push({ kind: "thread", action: "posted", ...reply });
    }
    await deps.state.saveSummary({ ...record, done: true });
    if (live && liveShown) await settle(live, finished, detail.sessionId);
    return outcomes;
  }

  /** The results, mutes and previous snapshot of a finished session, and its own snapshot recorded. */
  async function findingsFor(detail: WorkflowDetail, now: number): Promise<Findings> {
    const [session, results, mutes] = await Promise.all([
      deps.results.getSession(detail.sessionId),
      allResults(detail.sessionId),
      deps.state.activeMutes(now),
    ]);
    const finishedAt = session?.finishedAt ?? new Date(now).toISOString();
    const retryOf = session?.params.retryOf;
    let previous: UniverseSnapshot | undefined;
    let universe: string | undefined;
    if (retryOf) {
      // A retry compares with the session it retries, over the symbols it re-checked.
      previous = await retriedSnapshot(retryOf, new Set(results.map((r) => r.symbol)));
    } else {
      universe = universeKeyOf(
        detail.startedBy,
        results.map((r) => r.symbol),
      );
      previous = await deps.state.previousSnapshot(universe, detail.sessionId);
    }
    const findings = findingsOf({ sessionId: detail.sessionId, finishedAt }, results, mutes, previous);
    if (universe) await deps.state.recordSnapshot(universe, findings.snapshot);
    return findings;
  }

  async function retriedSnapshot(
    sessionId: string,
    symbols: ReadonlySet<string>,
  ): Promise<UniverseSnapshot | undefined> {
    const retried = await deps.results.getSession(sessionId);
    if (!retried) return undefined;
    const failing = await allResults(sessionId, ["fail", "error"]);
    return snapshotOf(
      sessionId,
      retried.finishedAt ?? retried.createdAt,
      failing.filter((r) => symbols.has(r.symbol)),
    );
  }

  async function allResults(sessionId: string, statuses?: StoredResult["status"][]): Promise<StoredResult[]> {
    const out: StoredResult[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.results.listResults(sessionId, {
        limit: RESULTS_PAGE,
        ...(cursor ? { cursor } : {}),
        ...(statuses ? { statuses } : {}),
      });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }

  async function post(channel: string, message: SlackMessage, kind: NotificationKind) {
    const posted = await deps.chat.post(channel, message);
    emit(kind, posted.channel, posted.ts, message);
    return posted;
  }

  /** Updates the live message; false (and a warning) when it is gone or the bot cannot edit it. */
  async function updateLive(live: { channel: string; ts: string }, message: SlackMessage, sessionId: string) {
    try {
      await deps.chat.update(live.channel, live.ts, message);
      emit("live", live.channel, live.ts, message);
      return true;
    } catch (error) {
      deps.log.warn("live message not updated", { sessionId, error: describe(error) });
      return false;
    }
  }

  /** Writes the final live message again after a late SessionProgress could have overwritten it. */
  async function settle(live: { channel: string; ts: string }, message: SlackMessage, sessionId: string) {
    if (settleMs <= 0) return;
    await sleep(settleMs);
    await deps.chat.update(live.channel, live.ts, message).catch((error: unknown) => {
      deps.log.warn("final live message not rewritten", { sessionId, error: describe(error) });
    });
  }

  async function progress(raw: unknown): Promise<NotificationOutcome> {
    const parsed = ProgressDetailSchema.safeParse(raw);
    if (!parsed.success) return ignored(`malformed progress detail: ${parsed.error.issues[0]?.message}`);
    const live = parsed.data.slack;
    // Scheduled runs have no live message; the channel gets their summary only.
    if (!live) return { kind: "ignored", reason: "no live message" };
    // A late SessionProgress (EventBridge keeps no order) must not turn a final message back into progress.
    const session = await deps.results.getSession(parsed.data.sessionId);
    if (session && session.status !== "running") return { kind: "ignored", reason: "the session is final" };
    const message = progressMessage(parsed.data, clock());
    try {
      await deps.chat.update(live.channel, live.ts, message);
    } catch (error) {
      deps.log.warn("progress not shown", { sessionId: parsed.data.sessionId, error: describe(error) });
      return ignored("live message not updated");
    }
    emit("progress", live.channel, live.ts, message);
    return { kind: "progress", action: "updated", channel: live.channel, ts: live.ts };
  }

  async function alarm(text: string): Promise<NotificationOutcome> {
    let message: SlackMessage;
    try {
      const parsed = AlarmMessageSchema.safeParse(JSON.parse(text));
      message = parsed.success ? alarmMessage(parsed.data) : noticeMessage(`dq notification: ${text.slice(0, 1000)}`);
    } catch {
      message = noticeMessage(`dq notification: ${text.slice(0, 1000)}`);
    }
    const posted = await post(deps.defaultChannel, message, "alarm");
    return { kind: "alarm", action: "posted", ...posted };
  }

  function ignored(reason: string): NotificationOutcome {
    deps.log.warn("notification ignored", { reason });
    return { kind: "ignored", reason };
  }

  return async (event) => {
    const snsMessages = snsMessagesOf(event);
    if (snsMessages) {
      const outcomes: NotificationOutcome[] = [];
      for (const text of snsMessages) outcomes.push(await alarm(text));
      return outcomes;
    }
    const e = event as { source?: unknown; "detail-type"?: unknown; detail?: unknown } | null;
    if (e?.source !== EVENT_SOURCE) return [ignored(`not a ${EVENT_SOURCE} event`)];
    switch (e["detail-type"]) {
      case DetailType.workflowCompleted:
      case DetailType.workflowFailed:
        return summary(e.detail);
      case DetailType.sessionProgress:
        return [await progress(e.detail)];
      default:
        return [ignored(`unknown detail-type ${String(e["detail-type"])}`)];
    }
  };
}

function snsMessagesOf(event: unknown): string[] | undefined {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) return undefined;
  const messages = records
    .filter((r) => (r as { EventSource?: unknown }).EventSource === "aws:sns")
    .map((r) => (r as { Sns?: { Message?: unknown } }).Sns?.Message)
    .filter((m): m is string => typeof m === "string");
  return messages.length > 0 ? messages : undefined;
}
