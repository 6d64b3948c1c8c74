import { z } from "zod";

/**
 * The work a Slack request leaves behind once it is acknowledged: the Slack function acknowledges in memory, hands
 * this job to an asynchronous invocation of itself, and that invocation does the I/O (the live message, the start,
 * the replies through the request's response_url). Slack never waits for any of it.
 */
const Caller = {
  userId: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  /** Keys a start, so a redelivered request or job never starts two sessions. */
  triggerId: z.string().min(1).max(256),
  /** Where the ephemeral answers to the user go (valid for 30 minutes, 5 posts). */
  responseUrl: z.url().max(2048),
  /** When the request was acknowledged (ms): nothing is sent to Slack before the acknowledgement has left. */
  acknowledgedAt: z.number(),
};

export const CommandJobSchema = z.strictObject({
  kind: z.literal("command"),
  /** The text after `/dq`, parsed again (and authorized again) by the work. */
  text: z.string().max(4000),
  ...Caller,
});

export const ActionJobSchema = z.strictObject({
  kind: z.literal("action"),
  action: z.enum(["retry", "cancel"]),
  sessionId: z.string().min(1).max(64),
  /** The message whose button was pressed. */
  messageTs: z.string().max(64).optional(),
  ...Caller,
});

export const SlackJobSchema = z.discriminatedUnion("kind", [CommandJobSchema, ActionJobSchema]);
export type CommandJob = z.infer<typeof CommandJobSchema>;
export type ActionJob = z.infer<typeof ActionJobSchema>;
export type SlackJob = z.infer<typeof SlackJobSchema>;

/** The Lambda event that carries a job: one key no HTTP event has. */
export const SLACK_JOB_KEY = "dqSlackJob";
export interface SlackJobEvent {
  [SLACK_JOB_KEY]: SlackJob;
}

export function slackJobEvent(job: SlackJob): SlackJobEvent {
  return { [SLACK_JOB_KEY]: job };
}

/** True for an event that claims to carry a job (it is validated before it runs). */
export function isSlackJobEvent(event: unknown): event is { [SLACK_JOB_KEY]: unknown } {
  return typeof event === "object" && event !== null && SLACK_JOB_KEY in event;
}

/**
 * Hands a job to an asynchronous invocation (of the Slack function itself on AWS and locally; in process in
 * tests). Resolves once the job is accepted, before it runs.
 */
export interface SlackJobQueue {
  handOff(job: SlackJob): Promise<void>;
}

/**
 * A job waits this long before it sends anything, so the acknowledgement precedes every other reply. The
 * acknowledgement is the HTTP answer the handler returns the moment the hand-off is accepted, while the job's
 * invocation is only then being queued, so it leaves first by far; the wait makes that order certain instead of
 * likely. A job that starts long after its acknowledgement (a retried invocation) does not wait.
 */
export const ACK_GRACE_MS = 250;
/** A job started later than this after its acknowledgement skips the wait. */
export const ACK_GRACE_WINDOW_MS = 5_000;
