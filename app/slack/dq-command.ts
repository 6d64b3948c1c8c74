import { UserFacingError } from "../domain/errors.ts";
import type { Log } from "../pipeline/context.ts";
import type { StartedBy } from "../pipeline/model.ts";
import { OperationError } from "../pipeline/operations.ts";
import type { StartInput } from "../pipeline/start-session.ts";
import { authorize, type SlackPolicy } from "./authorization.ts";
import type { SlackMessage } from "./blocks.ts";
import type { SlackChat } from "./chat.ts";
import { type DqCommand, parseDqCommand, type ScheduleAction } from "./command.ts";
import type { DailySchedule, SessionOperations, SessionStarter } from "./ports.ts";
import {
  failureMessage,
  helpMessage,
  invalidMessage,
  noticeMessage,
  refusalMessage,
  scheduleMessage,
  unknownMessage,
} from "./reply-views.ts";
import { sessionListMessage, startFailedMessage, startingMessage, statusMessage } from "./session-views.ts";

/** What `/dq` needs besides the request: ports, so tests pass small fakes and the Lambda passes AWS adapters. */
export interface DqCommandDeps {
  operations: SessionOperations;
  starter: SessionStarter;
  schedule: DailySchedule;
  policy: SlackPolicy;
  log: Log;
  /** Sessions `/dq status` lists without an argument. @default 5 */
  recentSessions?: number;
}

/** One `/dq` request, as the Bolt listener hands it over. */
export interface DqRequest {
  text: string;
  userId: string;
  channelId: string;
  triggerId: string;
  /** Slack's X-Slack-Retry-Num was set: a redelivery of a request already handled (or being handled). */
  retried: boolean;
  /** The HTTP answer to Slack: an ephemeral message, or nothing. Must be the first thing done. */
  ack(message?: SlackMessage): Promise<void>;
  /** An ephemeral follow-up to the user (the request's response_url). */
  reply(message: SlackMessage): Promise<void>;
  /** Channel messages (the bot's Web API client). */
  chat: SlackChat;
}

/**
 * Handles `/dq`: parses and authorizes in memory, acknowledges, and only then does the short I/O the command needs.
 * A run is handed to the SessionStarter, never run here. Failures after the acknowledgement reach the user as one
 * ephemeral line and the log with their details; nothing throws back into Bolt.
 */
export async function handleDqCommand(request: DqRequest, deps: DqCommandDeps): Promise<void> {
  const command = parseDqCommand(request.text);
  const who = { user: request.userId, channel: request.channelId, command: command.kind, triggerId: request.triggerId };
  if (request.retried) {
    deps.log.info("slack retry ignored", who);
    await request.ack(noticeMessage("dq already received this request; nothing was done twice."));
    return;
  }
  const decision = authorize(command, { userId: request.userId, channelId: request.channelId }, deps.policy);
  if (!decision.allowed) {
    deps.log.warn("slack command refused", { ...who, reason: decision.reason, text: request.text.slice(0, 200) });
    await request.ack(refusalMessage(decision.reason));
    return;
  }
  try {
    await dispatch(command, request, deps);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    deps.log.error("slack command failed", {
      ...who,
      error: err.name,
      message: err.message,
      stack: err.stack,
      ...(err.cause !== undefined ? { cause: describeCause(err.cause) } : {}),
    });
    await request.reply(failureMessage(command.kind, userMessage(err, request))).catch((replyError: unknown) => {
      deps.log.error("slack reply failed", { ...who, message: (replyError as Error).message });
    });
  }
}

/**
 * What a Slack user is shown of a failure: the message of a UserFacingError as it is; for anything else, a generic
 * line that says what to do, while the error itself goes only to the log.
 */
function userMessage(error: unknown, request: DqRequest): string {
  if (error instanceof UserFacingError) return error.message;
  return `internal error (logged with trigger ${request.triggerId}). Try again in a minute; if it fails again, ask a dq admin to look up trigger ${request.triggerId} in the dq logs.`;
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

async function dispatch(command: DqCommand, request: DqRequest, deps: DqCommandDeps): Promise<void> {
  switch (command.kind) {
    case "help":
      return request.ack(helpMessage());
    case "unknown":
      return request.ack(unknownMessage(command.text));
    case "invalid":
      return request.ack(invalidMessage(command.command, command.reason));
    case "run":
      return run(command, request, deps);
    case "status":
      await request.ack();
      if (command.session === undefined) {
        const page = await deps.operations.list(deps.recentSessions ?? 5);
        return request.reply(sessionListMessage(page.items));
      }
      return request.reply(statusMessage(await deps.operations.status(command.session)));
    case "retry":
      return retry(command.session, request, deps);
    case "cancel": {
      await request.ack(noticeMessage(`Cancelling session \`${command.session}\`…`));
      const session = await deps.operations.cancel(command.session, `slack:${request.userId}`);
      deps.log.info("session cancelled from slack", { sessionId: session.sessionId, user: request.userId });
      return request.reply(
        noticeMessage(`Session \`${session.sessionId}\` is ${session.status}; its summary follows in the channel.`),
      );
    }
    case "schedule":
      return schedule(command.schedule, request, deps);
  }
}

async function run(
  command: Extract<DqCommand, { kind: "run" }>,
  request: DqRequest,
  deps: DqCommandDeps,
): Promise<void> {
  const starting = startingMessage({ ...command, userId: request.userId });
  await request.ack(noticeMessage(`${starting.text} Progress will appear in this channel.`));
  const live = await postLive(request, starting, deps);
  const input: StartInput = {
    ...(command.symbols ? { symbols: command.symbols } : {}),
    ...(command.lookbackDays !== undefined ? { lookbackDays: command.lookbackDays } : {}),
    startedBy: startedBy(request),
    idempotencyKey: idempotencyKey(request),
    ...(live ? { slack: live } : {}),
  };
  try {
    await deps.starter.start(input);
  } catch (error) {
    if (live)
      await request.chat.update(live.channel, live.ts, startFailedMessage(userMessage(error, request), request.userId));
    throw error;
  }
  deps.log.info("session start handed on", {
    user: request.userId,
    channel: request.channelId,
    idempotencyKey: input.idempotencyKey,
  });
}

async function retry(sessionId: string, request: DqRequest, deps: DqCommandDeps): Promise<void> {
  await request.ack();
  // A quick check answers the common mistakes at once; collecting the symbols and starting is the coordinator's.
  const { session } = await deps.operations.status(sessionId, 0);
  if (session.status === "running")
    throw new OperationError(`session ${session.sessionId} is still running; cancel it first or wait`);
  const starting = startingMessage({ retryOf: session.sessionId, userId: request.userId });
  const live = await postLive(request, starting, deps);
  const input: StartInput = {
    retry: session.sessionId,
    startedBy: startedBy(request),
    idempotencyKey: idempotencyKey(request),
    ...(live ? { slack: live } : {}),
  };
  try {
    await deps.starter.start(input);
  } catch (error) {
    if (live)
      await request.chat.update(live.channel, live.ts, startFailedMessage(userMessage(error, request), request.userId));
    throw error;
  }
  deps.log.info("session retry handed on", { user: request.userId, retry: session.sessionId });
}

async function schedule(action: ScheduleAction, request: DqRequest, deps: DqCommandDeps): Promise<void> {
  await request.ack();
  if (action.action === "show") return request.reply(scheduleMessage(await deps.schedule.show()));
  const info =
    action.action === "set"
      ? await deps.schedule.set({
          hour: action.hour,
          minute: action.minute,
          ...(action.timezone ? { timezone: action.timezone } : {}),
        })
      : action.action === "pause"
        ? await deps.schedule.pause()
        : await deps.schedule.resume();
  deps.log.info("daily schedule changed from slack", {
    user: request.userId,
    action: action.action,
    expression: info.expression,
    timezone: info.timezone,
    state: info.state,
  });
  const verb = action.action === "set" ? "Moved" : action.action === "pause" ? "Paused" : "Resumed";
  return request.reply(scheduleMessage(info, `${verb} by <@${request.userId}>.`));
}

/**
 * The channel message that progress and the summary will update. A channel the bot cannot post in does not stop
 * the run: its summary then goes to the default channel, and the user is told why.
 */
async function postLive(request: DqRequest, message: SlackMessage, deps: DqCommandDeps) {
  try {
    return await request.chat.post(request.channelId, message);
  } catch (error) {
    deps.log.warn("live message not posted", { channel: request.channelId, message: (error as Error).message });
    const reason = error instanceof UserFacingError ? error.message : `logged with trigger ${request.triggerId}`;
    await request.reply(
      noticeMessage(
        `dq cannot post in this channel (${reason}); invite the app to see progress here. The summary goes to the default channel.`,
      ),
    );
    return undefined;
  }
}

function startedBy(request: DqRequest): StartedBy {
  return { kind: "slack", user: request.userId, channel: request.channelId };
}

/** Slack gives every invocation its own trigger_id; a redelivery carries the same one, and so maps to the same session. */
function idempotencyKey(request: DqRequest): string {
  return `slack:${request.triggerId}`;
}
