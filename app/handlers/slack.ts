import { AwsLambdaReceiver } from "@slack/bolt";
import type { Context } from "aws-lambda";
import { perContainer } from "../runtime/per-container.ts";
import { createReportLinkRoute, type ReportLinkRequest, type ReportLinkRoute } from "../runtime/report-links.ts";
import { getSlackRuntime } from "../runtime/slack-runtime.ts";
import { createSlackApp, type SlackHandlerDeps } from "../slack/app.ts";
import { boltLogger } from "../slack/bolt-logger.ts";
import { createWebClient, WebApiChat } from "../slack/chat.ts";
import { describe } from "../slack/dq-command.ts";
import { isSlackJobEvent, SLACK_JOB_KEY, type SlackJobEvent, SlackJobSchema } from "../slack/jobs.ts";
import { PacedChat } from "../slack/paced-chat.ts";
import { ResponseUrlReplies } from "../slack/response-url.ts";
import { runSlackJob } from "../slack/worker.ts";

type BoltLambdaHandler = ReturnType<AwsLambdaReceiver["toHandler"]>;
/** A function URL (or API Gateway) event, as Bolt's receiver reads it. */
export type SlackLambdaEvent = Parameters<BoltLambdaHandler>[0];
export type SlackLambdaResponse = Awaited<ReturnType<BoltLambdaHandler>>;
/** What an asynchronous job invocation returns (nobody reads it; it shows in the local shim's records). */
export interface SlackJobResult {
  job: "done" | "dropped";
}

/** The Slack function: Slack's HTTP requests, and the jobs it hands to itself. */
export interface SlackLambdaHandler {
  (event: SlackLambdaEvent, context: Context): Promise<SlackLambdaResponse>;
  (event: SlackJobEvent, context: Context): Promise<SlackJobResult>;
  (event: unknown, context: Context): Promise<SlackLambdaResponse | SlackJobResult>;
}

/** What a job keeps of the invocation's time, so it ends before Lambda stops it. */
const JOB_TIME_MARGIN_MS = 3_000;

/**
 * The Slack function. A request from Slack (function URL) goes through Bolt's AwsLambdaReceiver with signature
 * verification on: the `/dq` app acknowledges it and hands its work to an asynchronous invocation of this same
 * function, which arrives here as a job and does the work (posting, starting, replying) with the time it needs.
 * Exported for tests and the local stack, which pass their own ports.
 */
export function createSlackLambdaHandler(
  deps: SlackHandlerDeps,
  options: { reportLinks?: ReportLinkRoute } = {},
): SlackLambdaHandler {
  const receiver = new AwsLambdaReceiver({
    signingSecret: deps.signingSecret,
    signatureVerification: true,
    logger: boltLogger(deps.log, deps.boltLogLevel),
    invalidRequestSignatureHandler: ({ ts }) => {
      deps.log.warn("slack request refused: bad or stale signature", { timestamp: ts });
    },
  });
  createSlackApp({ ...deps, receiver });
  const http = receiver.toHandler();
  const chat = new WebApiChat(
    createWebClient(deps.botToken, deps.slackApiUrl ? { slackApiUrl: deps.slackApiUrl } : {}),
  );
  const replies = new ResponseUrlReplies();

  const handle = async (event: unknown, context: Context): Promise<SlackLambdaResponse | SlackJobResult> => {
    if (!isSlackJobEvent(event)) {
      // The function's URL also opens report links (the notifier posts them); anything else is Slack's, for Bolt.
      const report = await options.reportLinks?.(event as ReportLinkRequest);
      return report ?? http(event as SlackLambdaEvent, context);
    }
    const parsed = SlackJobSchema.safeParse(event[SLACK_JOB_KEY]);
    if (!parsed.success) {
      deps.log.error("slack job dropped: malformed", { issue: parsed.error.issues[0]?.message });
      return { job: "dropped" };
    }
    const deadline = Date.now() + context.getRemainingTimeInMillis() - JOB_TIME_MARGIN_MS;
    try {
      await runSlackJob(parsed.data, { ...deps, chat: new PacedChat(chat, { deadline: () => deadline }), replies });
    } catch (error) {
      // runSlackJob answers its own failures; this is a bug, and running the job again would not fix it.
      deps.log.error("slack job failed", { error: describe(error) });
    }
    return { job: "done" };
  };
  return handle as SlackLambdaHandler;
}

const getHandler = perContainer(async () => {
  const runtime = await getSlackRuntime();
  const reportLinks = await createReportLinkRoute(process.env, { log: runtime.deps.log });
  return { handle: createSlackLambdaHandler(runtime.deps, { reportLinks }), flush: runtime.flush };
});

/** The Lambda entry point: secrets and adapters are resolved once per cold start. */
export async function handler(
  event: SlackLambdaEvent | SlackJobEvent,
  context: Context,
): Promise<SlackLambdaResponse | SlackJobResult> {
  const { handle, flush } = await getHandler();
  try {
    return await handle(event, context);
  } finally {
    flush();
  }
}
