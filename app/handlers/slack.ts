import { AwsLambdaReceiver } from "@slack/bolt";
import type { Context } from "aws-lambda";
import { perContainer } from "../runtime/per-container.ts";
import { getSlackRuntime } from "../runtime/slack-runtime.ts";
import { createSlackApp, type SlackHandlerDeps } from "../slack/app.ts";
import { boltLogger } from "../slack/bolt-logger.ts";

type BoltLambdaHandler = ReturnType<AwsLambdaReceiver["toHandler"]>;
/** A function URL (or API Gateway) event, as Bolt's receiver reads it. */
export type SlackLambdaEvent = Parameters<BoltLambdaHandler>[0];
export type SlackLambdaResponse = Awaited<ReturnType<BoltLambdaHandler>>;
export type SlackLambdaHandler = (event: SlackLambdaEvent, context: Context) => Promise<SlackLambdaResponse>;

/**
 * The Slack function behind its function URL: Bolt's AwsLambdaReceiver with signature verification on, and the
 * `/dq` app. Exported for tests and the local stack, which pass their own ports.
 */
export function createSlackLambdaHandler(deps: SlackHandlerDeps): SlackLambdaHandler {
  const receiver = new AwsLambdaReceiver({
    signingSecret: deps.signingSecret,
    signatureVerification: true,
    logger: boltLogger(deps.log, deps.boltLogLevel),
    invalidRequestSignatureHandler: ({ ts }) => {
      deps.log.warn("slack request refused: bad or stale signature", { timestamp: ts });
    },
  });
  createSlackApp({ ...deps, receiver });
  return receiver.toHandler();
}

const getHandler = perContainer(async () => {
  const runtime = await getSlackRuntime();
  return { handle: createSlackLambdaHandler(runtime.deps), flush: runtime.flush };
});

/** The Lambda entry point: secrets and adapters are resolved once per cold start. */
export async function handler(event: SlackLambdaEvent, context: Context): Promise<SlackLambdaResponse> {
  const { handle, flush } = await getHandler();
  try {
    return await handle(event, context);
  } finally {
    flush();
  }
}
