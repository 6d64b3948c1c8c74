import type { Clock } from "../domain/clock.ts";
import { systemClock } from "../domain/clock.ts";
import type { Log } from "../pipeline/context.ts";
import { DetailType, EVENT_SOURCE } from "../wiring.ts";
import type { SlackMessage } from "./blocks.ts";
import type { SlackChat } from "./chat.ts";
import { AlarmMessageSchema, ProgressDetailSchema, WorkflowDetailSchema } from "./event-details.ts";
import { alarmMessage, noticeMessage } from "./reply-views.ts";
import { progressMessage, summaryMessage } from "./session-views.ts";

export interface NotifierDeps {
  chat: SlackChat;
  /** Where scheduled and CLI runs report, and where alarms go (DQ_SLACK_CHANNEL). */
  defaultChannel: string;
  log: Log;
  /** @default Date.now */
  clock?: Clock;
  /**
   * EventBridge does not keep order: the last SessionProgress can reach Slack after the summary and overwrite it.
   * The summary is written again this long after the first write, which repairs that. 0 turns it off.
   * @default 2000
   */
  settleMs?: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Called with every message posted or updated, e.g. to print it in the local stack's terminal. */
  onMessage?: (message: SlackMessage & { channel: string; ts: string; kind: NotificationKind }) => void;
}

export type NotificationKind = "summary" | "progress" | "alarm";

/** What one notification did, for logs and tests. */
export type NotificationOutcome =
  | { kind: NotificationKind; action: "posted" | "updated"; channel: string; ts: string }
  | { kind: "ignored"; reason: string };

/**
 * EventBridge events (WorkflowCompleted, WorkflowFailed, SessionProgress) and SNS-delivered CloudWatch alarms, to
 * Slack. A Slack-started run's message is updated in place; everything else posts to the default channel. A
 * malformed event is logged and dropped (a retry would not fix it); a summary that cannot be delivered throws, so
 * Lambda's retries get another chance.
 */
export function createNotifier(deps: NotifierDeps): (event: unknown) => Promise<NotificationOutcome[]> {
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const settleMs = deps.settleMs ?? 2000;
  const emit = (kind: NotificationKind, channel: string, ts: string, message: SlackMessage) =>
    deps.onMessage?.({ ...message, channel, ts, kind });

  async function summary(detail: unknown): Promise<NotificationOutcome> {
    const parsed = WorkflowDetailSchema.safeParse(detail);
    if (!parsed.success) return ignored(`malformed workflow detail: ${parsed.error.issues[0]?.message}`);
    const message = summaryMessage(parsed.data);
    const live = parsed.data.slack;
    if (live) {
      try {
        await deps.chat.update(live.channel, live.ts, message);
        emit("summary", live.channel, live.ts, message);
        if (settleMs > 0) {
          await sleep(settleMs);
          await deps.chat.update(live.channel, live.ts, message).catch((error: unknown) => {
            deps.log.warn("summary rewrite failed", {
              sessionId: parsed.data.sessionId,
              message: (error as Error).message,
            });
          });
        }
        return { kind: "summary", action: "updated", channel: live.channel, ts: live.ts };
      } catch (error) {
        deps.log.warn("live message not updated; posting the summary instead", {
          sessionId: parsed.data.sessionId,
          message: (error as Error).message,
        });
      }
    }
    const posted = await deps.chat.post(deps.defaultChannel, message);
    emit("summary", posted.channel, posted.ts, message);
    return { kind: "summary", action: "posted", ...posted };
  }

  async function progress(detail: unknown): Promise<NotificationOutcome> {
    const parsed = ProgressDetailSchema.safeParse(detail);
    if (!parsed.success) return ignored(`malformed progress detail: ${parsed.error.issues[0]?.message}`);
    const live = parsed.data.slack;
    // Scheduled runs have no live message; the channel gets their summary only.
    if (!live) return { kind: "ignored", reason: "no live message" };
    const message = progressMessage(parsed.data, clock());
    try {
      await deps.chat.update(live.channel, live.ts, message);
    } catch (error) {
      deps.log.warn("progress not shown", { sessionId: parsed.data.sessionId, message: (error as Error).message });
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
    const posted = await deps.chat.post(deps.defaultChannel, message);
    emit("alarm", posted.channel, posted.ts, message);
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
        return [await summary(e.detail)];
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
