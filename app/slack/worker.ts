import { UserFacingError } from "../domain/errors.ts";
import type { Log } from "../pipeline/context.ts";
import type { StartedBy } from "../pipeline/model.ts";
import { OperationError } from "../pipeline/operations.ts";
import type { StartInput } from "../pipeline/start-session.ts";
import { authorize, type SlackPolicy } from "./authorization.ts";
import type { SlackMessage } from "./blocks.ts";
import type { SlackChat } from "./chat.ts";
import { type DqCommand, parseDqCommand, type ScheduleAction } from "./command.ts";
import { describe } from "./dq-command.ts";
import { ACK_GRACE_MS, ACK_GRACE_WINDOW_MS, type ActionJob, type CommandJob, type SlackJob } from "./jobs.ts";
import type { DailySchedule, SessionOperations, SessionStarter, SlackState, StartOutcome } from "./ports.ts";
import {
  failureMessage,
  mutedMessage,
  mutesMessage,
  noticeMessage,
  refusalMessage,
  scheduleMessage,
  unmutedMessage,
} from "./reply-views.ts";
import type { EphemeralReplies } from "./response-url.ts";
import { sessionListMessage, startFailedMessage, startingMessage, statusMessage } from "./session-views.ts";

/** What the asynchronous work of a Slack request needs: the pipeline's ports and Slack's, never Slack's request. */
export interface SlackWorkerDeps {
  operations: SessionOperations;
  starter: SessionStarter;
  schedule: DailySchedule;
  policy: SlackPolicy;
  log: Log;
  /** Channel messages, within Slack's posting rate. */
  chat: SlackChat;
  /** Ephemeral answers through the request's response_url. */
  replies: EphemeralReplies;
  /** Where `/dq mute` keeps its mutes. */
  state: Pick<SlackState, "mute" | "unmute" | "activeMutes">;
  /** Sessions `/dq status` lists without an argument. @default 5 */
  recentSessions?: number;
  /** @default Date.now */
  clock?: () => number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs the work of an acknowledged Slack request: a command (`/dq run`, `status`, …) or a button ("Retry failed",
 * "Cancel"). The request is authorized again (a job is only ever made by the Slack function itself, but it costs
 * nothing). Every failure reaches the user as one ephemeral line that says what to do, and the log with its
 * details; nothing throws, so Lambda never runs a job twice.
 */
export async function runSlackJob(job: SlackJob, deps: SlackWorkerDeps): Promise<void> {
  const clock = deps.clock ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (clock() - job.acknowledgedAt < ACK_GRACE_WINDOW_MS) await sleep(ACK_GRACE_MS);
  const command = commandOf(job);
  const who = { user: job.userId, channel: job.channelId, command: command.kind, triggerId: job.triggerId };
  const decision = authorize(command, { userId: job.userId, channelId: job.channelId }, deps.policy);
  if (!decision.allowed) {
    deps.log.warn(job.kind === "action" ? "slack action refused" : "slack command refused", {
      ...who,
      reason: decision.reason,
    });
    await reply(job, refusalMessage(decision.reason), deps);
    return;
  }
  try {
    await dispatch(command, job, deps);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    deps.log.error("slack command failed", {
      ...who,
      error: err.name,
      message: err.message,
      stack: err.stack,
      ...(err.cause !== undefined ? { cause: describe(err.cause) } : {}),
    });
    await reply(job, failureMessage(command.kind, userMessage(err, job.triggerId)), deps);
  }
}

/** A button press is the command it stands for, so it is authorized and run the same way. */
function commandOf(job: SlackJob): DqCommand {
  if (job.kind === "command") return parseDqCommand(job.text);
  return job.action === "retry"
    ? { kind: "retry", session: job.sessionId }
    : { kind: "cancel", session: job.sessionId };
}

/**
 * What a Slack user is shown of a failure: the message of a UserFacingError as it is; for anything else, a generic
 * line that says what to do, while the error itself goes only to the log.
 */
export function userMessage(error: unknown, triggerId: string): string {
  if (error instanceof UserFacingError) return error.message;
  return `internal error (logged with trigger ${triggerId}). Try again in a minute; if it fails again, ask a dq admin to look up trigger ${triggerId} in the dq logs.`;
}

async function dispatch(command: DqCommand, job: SlackJob, deps: SlackWorkerDeps): Promise<void> {
  switch (command.kind) {
    case "run":
      return run(command, job, deps);
    case "status":
      if (command.session === undefined) {
        const page = await deps.operations.list(deps.recentSessions ?? 5);
        return reply(job, sessionListMessage(page.items, await deps.operations.coverage?.()), deps);
      }
      return reply(job, statusMessage(await deps.operations.status(command.session)), deps);
    case "retry":
      return retry(command.session, job, deps);
    case "cancel": {
      const session = await deps.operations.cancel(command.session, `slack:${job.userId}`);
      deps.log.info("session cancelled from slack", { sessionId: session.sessionId, user: job.userId });
      return reply(
        job,
        noticeMessage(`Session \`${session.sessionId}\` is ${session.status}; its summary follows in the channel.`),
        deps,
      );
    }
    case "schedule":
      return schedule(command.schedule, job, deps);
    case "mute":
      return mute(command, job, deps);
    case "unmute":
      return unmute(command.symbols, job, deps);
    case "help":
    case "unknown":
    case "invalid":
      // Answered by the acknowledgement; a job never carries them.
      return;
  }
}

async function run(command: Extract<DqCommand, { kind: "run" }>, job: SlackJob, deps: SlackWorkerDeps) {
  const live = await postLive(job, startingMessage({ ...command, userId: job.userId }), deps);
  await start(
    {
      ...(command.symbols ? { symbols: command.symbols } : {}),
      ...(command.lookbackDays !== undefined ? { lookbackDays: command.lookbackDays } : {}),
      startedBy: startedBy(job),
      idempotencyKey: idempotencyKey(job),
      ...(live ? { slack: live } : {}),
    },
    live,
    job,
    deps,
  );
}

async function retry(sessionId: string, job: SlackJob, deps: SlackWorkerDeps): Promise<void> {
  // A quick check answers the common mistakes at once; collecting the symbols and starting is the coordinator's.
  const { session } = await deps.operations.status(sessionId, 1);
  if (session.status === "running")
    throw new OperationError(`session ${session.sessionId} is still running; cancel it first or wait`);
  const live = await postLive(job, startingMessage({ retryOf: session.sessionId, userId: job.userId }), deps);
  await start(
    {
      retry: session.sessionId,
      startedBy: startedBy(job),
      idempotencyKey: idempotencyKey(job),
      ...(live ? { slack: live } : {}),
    },
    live,
    job,
    deps,
  );
}

/**
 * Starts through the coordinator and says how it went: to the user, and, when the start is refused or fails, in
 * the live message, which would otherwise say "Starting…" forever. A session that did start owns its live message
 * from then on (progress, then the summary): nothing here writes to it again.
 */
async function start(
  input: StartInput,
  live: { channel: string; ts: string } | undefined,
  job: SlackJob,
  deps: SlackWorkerDeps,
): Promise<void> {
  const what = input.retry ? "retry" : "run";
  let outcome: StartOutcome;
  try {
    outcome = await deps.starter.start(input);
  } catch (error) {
    deps.log.error("session start failed", { triggerId: job.triggerId, user: job.userId, error: describe(error) });
    const reason = userMessage(error, job.triggerId);
    await markNotStarted(live, reason, job, deps);
    await reply(job, failureMessage(what, reason), deps);
    return;
  }
  switch (outcome.status) {
    case "rejected":
      deps.log.warn("session start rejected", { triggerId: job.triggerId, user: job.userId, reason: outcome.reason });
      await markNotStarted(live, outcome.reason, job, deps);
      await reply(job, failureMessage(what, outcome.reason), deps);
      return;
    case "pending":
      deps.log.warn("session start not answered in time", { triggerId: job.triggerId });
      await reply(
        job,
        noticeMessage("The start is taking longer than usual; its progress will appear in the channel."),
        deps,
      );
      return;
    default: {
      deps.log.info("session started from slack", { sessionId: outcome.sessionId, user: job.userId, what });
      const minutes = outcome.estimatedDurationMinutes;
      const duration = minutes < 1 ? "under a minute" : `about ${Math.ceil(minutes)} min`;
      const lead = outcome.status === "duplicate" ? "Already started:" : "Started";
      await reply(
        job,
        noticeMessage(
          `${lead} session \`${outcome.sessionId}\`, ${outcome.totalSymbols} symbols, ${duration}. \`/dq status ${outcome.sessionId}\` shows where it is.`,
        ),
        deps,
      );
    }
  }
}

async function markNotStarted(
  live: { channel: string; ts: string } | undefined,
  reason: string,
  job: SlackJob,
  deps: SlackWorkerDeps,
): Promise<void> {
  if (!live) return;
  await deps.chat.update(live.channel, live.ts, startFailedMessage(reason, job.userId)).catch((error: unknown) => {
    deps.log.warn("live message not marked as not started", { channel: live.channel, error: describe(error) });
  });
}

/** Mutes are applied to summaries only: the checks, the results and `dq results` never see them. */
async function mute(command: Extract<DqCommand, { kind: "mute" }>, job: SlackJob, deps: SlackWorkerDeps) {
  const now = (deps.clock ?? Date.now)();
  if (command.symbols.length === 0) return reply(job, mutesMessage(await deps.state.activeMutes(now)), deps);
  const until = new Date(now + command.hours * 3_600_000).toISOString();
  const at = new Date(now).toISOString();
  for (const symbol of command.symbols) await deps.state.mute({ symbol, until, by: job.userId, at });
  deps.log.info("symbols muted from slack", { user: job.userId, symbols: command.symbols, until });
  return reply(job, mutedMessage(command.symbols, until), deps);
}

async function unmute(symbols: readonly string[], job: SlackJob, deps: SlackWorkerDeps) {
  const now = (deps.clock ?? Date.now)();
  const ended: string[] = [];
  const notMuted: string[] = [];
  for (const symbol of symbols) ((await deps.state.unmute(symbol, now)) ? ended : notMuted).push(symbol);
  deps.log.info("symbols unmuted from slack", { user: job.userId, symbols: ended });
  return reply(job, unmutedMessage(ended, notMuted), deps);
}

async function schedule(action: ScheduleAction, job: SlackJob, deps: SlackWorkerDeps): Promise<void> {
  if (action.action === "show") return reply(job, scheduleMessage(await deps.schedule.show()), deps);
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
    user: job.userId,
    action: action.action,
    expression: info.expression,
    timezone: info.timezone,
    state: info.state,
  });
  const verb = action.action === "set" ? "Moved" : action.action === "pause" ? "Paused" : "Resumed";
  return reply(job, scheduleMessage(info, `${verb} by <@${job.userId}>.`), deps);
}

/**
 * The channel message that progress and the summary will update. A channel the bot cannot post in does not stop
 * the run: its summary then goes to the default channel, and the user is told why.
 */
async function postLive(job: SlackJob, message: SlackMessage, deps: SlackWorkerDeps) {
  try {
    return await deps.chat.post(job.channelId, message);
  } catch (error) {
    deps.log.warn("live message not posted", { channel: job.channelId, error: describe(error) });
    await reply(
      job,
      noticeMessage(
        "dq cannot post in this channel: invite the app (`/invite @dq`) to see progress here. The summary goes to dq's report channel.",
      ),
      deps,
    );
    return undefined;
  }
}

async function reply(job: SlackJob, message: SlackMessage, deps: SlackWorkerDeps): Promise<void> {
  try {
    await deps.replies.reply(job.responseUrl, message);
  } catch (error) {
    deps.log.warn("slack reply failed", { user: job.userId, triggerId: job.triggerId, error: describe(error) });
  }
}

function startedBy(job: SlackJob): StartedBy {
  return { kind: "slack", user: job.userId, channel: job.channelId };
}

/**
 * Slack gives every command and button press its own trigger_id; a redelivery carries the same one, and so maps
 * to the same session.
 */
function idempotencyKey(job: CommandJob | ActionJob): string {
  return `slack:${job.triggerId}`;
}
