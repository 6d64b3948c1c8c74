import { ActionId } from "./action-ids.ts";
import { isSessionId } from "./command.ts";
import { type DqAckDeps, describe } from "./dq-command.ts";

/** One button press of a `block_actions` payload, as the Bolt listener reads it. */
export interface DqActionRequest {
  actionId: string;
  /** The button's value: the session it acts on. */
  value: string | undefined;
  userId: string;
  channelId: string | undefined;
  triggerId: string;
  responseUrl: string | undefined;
  messageTs: string | undefined;
  /** Slack's X-Slack-Retry-Num was set. */
  retried: boolean;
}

/**
 * The acknowledgement of a button press (an empty 200: Slack shows nothing for it): the press is handed to the
 * asynchronous work, which authorizes it as the command it stands for and answers the user. Like a command, it
 * calls no Slack API here and never throws.
 */
export async function acknowledgeDqAction(request: DqActionRequest, deps: DqAckDeps): Promise<void> {
  const who = { user: request.userId, channel: request.channelId, action: request.actionId };
  if (request.actionId === ActionId.openReport || request.actionId === ActionId.openLogs) return;
  const action =
    request.actionId === ActionId.retryFailed ? "retry" : request.actionId === ActionId.cancel ? "cancel" : undefined;
  if (action === undefined) {
    deps.log.warn("slack action ignored: not one of dq's", who);
    return;
  }
  if (request.retried) {
    deps.log.info("slack retry ignored", who);
    return;
  }
  const sessionId = request.value ?? "";
  if (!isSessionId(sessionId) || !request.channelId || !request.responseUrl) {
    deps.log.warn("slack action ignored: malformed", { ...who, value: sessionId.slice(0, 80) });
    return;
  }
  try {
    await deps.jobs.handOff({
      kind: "action",
      action,
      sessionId,
      ...(request.messageTs ? { messageTs: request.messageTs } : {}),
      userId: request.userId,
      channelId: request.channelId,
      triggerId: request.triggerId,
      responseUrl: request.responseUrl,
      acknowledgedAt: (deps.clock ?? Date.now)(),
    });
    deps.log.info("slack action handed on", { ...who, sessionId });
  } catch (error) {
    deps.log.error("slack action not handed on", { ...who, sessionId, error: describe(error) });
  }
}
