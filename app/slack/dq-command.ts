import type { Log } from "../pipeline/context.ts";
import { authorize, type SlackPolicy } from "./authorization.ts";
import type { SlackMessage } from "./blocks.ts";
import { type DqCommand, parseDqCommand } from "./command.ts";
import type { SlackJobQueue } from "./jobs.ts";
import {
  failureMessage,
  helpMessage,
  invalidMessage,
  noticeMessage,
  refusalMessage,
  unknownMessage,
} from "./reply-views.ts";
import { startingMessage } from "./session-views.ts";

/** What acknowledging `/dq` needs: who may do what, the log, and where the work goes. No Slack client. */
export interface DqAckDeps {
  policy: SlackPolicy;
  log: Log;
  jobs: SlackJobQueue;
  /** @default Date.now */
  clock?: () => number;
}

/** One `/dq` request, as the Bolt listener reads it. */
export interface DqCommandRequest {
  text: string;
  userId: string;
  channelId: string;
  triggerId: string;
  responseUrl: string;
  /** Slack's X-Slack-Retry-Num was set: a redelivery of a request already handled (or being handled). */
  retried: boolean;
}

/**
 * The acknowledgement of `/dq`: parses and authorizes in memory, hands the command's work to an asynchronous
 * invocation, and returns what Slack shows its user at once (undefined: nothing). It calls no Slack API and
 * waits for nothing but the hand-off, so Slack gets its answer in milliseconds however slow Slack itself is; it
 * never throws.
 */
export async function acknowledgeDqCommand(
  request: DqCommandRequest,
  deps: DqAckDeps,
): Promise<SlackMessage | undefined> {
  const command = parseDqCommand(request.text);
  const who = { user: request.userId, channel: request.channelId, command: command.kind, triggerId: request.triggerId };
  if (request.retried) {
    deps.log.info("slack retry ignored", who);
    return noticeMessage("dq already received this request; nothing was done twice.");
  }
  const decision = authorize(command, { userId: request.userId, channelId: request.channelId }, deps.policy);
  if (!decision.allowed) {
    deps.log.warn("slack command refused", { ...who, reason: decision.reason, text: request.text.slice(0, 200) });
    return refusalMessage(decision.reason);
  }
  switch (command.kind) {
    case "help":
      return helpMessage();
    case "unknown":
      return unknownMessage(command.text);
    case "invalid":
      return invalidMessage(command.command, command.reason);
  }
  try {
    await deps.jobs.handOff({
      kind: "command",
      text: request.text.slice(0, 4000),
      userId: request.userId,
      channelId: request.channelId,
      triggerId: request.triggerId,
      responseUrl: request.responseUrl,
      acknowledgedAt: (deps.clock ?? Date.now)(),
    });
  } catch (error) {
    deps.log.error("slack command not handed on", { ...who, error: describe(error) });
    return failureMessage(
      command.kind,
      `dq could not take the request just now; nothing was done. Try again in a minute; if it fails again, ask a dq admin to look up trigger ${request.triggerId} in the dq logs.`,
    );
  }
  deps.log.info("slack command handed on", who);
  return acknowledgement(command, request.userId);
}

/** What the user sees at once; the rest follows through the response_url and in the channel. */
function acknowledgement(command: DqCommand, userId: string): SlackMessage | undefined {
  switch (command.kind) {
    case "run": {
      const starting = startingMessage({ ...command, userId });
      return noticeMessage(`${starting.text} Progress will appear in this channel.`);
    }
    case "retry":
      return noticeMessage(`Retrying the failed and errored symbols of \`${command.session}\`…`);
    case "cancel":
      return noticeMessage(`Cancelling session \`${command.session}\`…`);
    default:
      return undefined;
  }
}

export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : "";
  return `${error.name}: ${error.message}${cause}`;
}
