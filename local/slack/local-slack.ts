import { randomBytes } from "node:crypto";
import { createSlackLambdaHandler } from "../../app/handlers/slack.ts";
import type { Log } from "../../app/pipeline/context.ts";
import type { PipelineRuntime } from "../../app/runtime/pipeline-runtime.ts";
import { createNotifierDeps, createSlackRuntime } from "../../app/runtime/slack-runtime.ts";
import { createNotifier } from "../../app/slack/notifications.ts";
import { ENV } from "../../app/wiring.ts";
import type { LocalFunction } from "../aws/functions.ts";
import { asLocalFunction } from "../aws/lambda-context.ts";
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from "./fake-slack.ts";
import { type SlackHttpServer, startSlackHttpServer } from "./slack-http-server.ts";

export const LOCAL_SLACK = {
  channel: "C0DQLOCAL",
  admin: "U0DQADMIN",
  botToken: "xoxb-dq-local",
} as const;

export interface LocalSlack {
  fakeSlack: FakeSlack;
  /** Where the Slack app's requests go: `http://127.0.0.1:<port>/slack/events`. */
  requestUrl: string;
  /** Sign requests with it (it is printed by `dq local`; a fresh one per stack). */
  signingSecret: string;
  env: Record<string, string>;
  notifier: LocalFunction;
  slack: LocalFunction;
  stop(): Promise<void>;
}

/** The Slack environment of the local stack: a fake Slack Web API, a channel, an admin, secrets of its own. */
export async function startLocalSlackApi(
  options: FakeSlackOptions = {},
): Promise<{ fakeSlack: FakeSlack; env: Record<string, string> }> {
  const fakeSlack = await startFakeSlack({ token: LOCAL_SLACK.botToken, ...options });
  const env = {
    [ENV.slackApiUrl]: fakeSlack.apiUrl,
    [ENV.slackBotToken]: LOCAL_SLACK.botToken,
    [ENV.slackSigningSecret]: randomBytes(16).toString("hex"),
    [ENV.slackChannel]: LOCAL_SLACK.channel,
    [ENV.slackAllowedChannels]: LOCAL_SLACK.channel,
    [ENV.slackAdmins]: LOCAL_SLACK.admin,
  };
  return { fakeSlack, env };
}

/** The real notifier and Slack functions over the local stack's environment, and the Slack app served on HTTP. */
export async function startLocalSlackFunctions(
  env: NodeJS.ProcessEnv,
  pipeline: PipelineRuntime,
  log: Log,
): Promise<Omit<LocalSlack, "fakeSlack" | "env">> {
  const notify = createNotifier(await createNotifierDeps(env, log));
  const { deps } = await createSlackRuntime({ env, pipeline });
  const server: SlackHttpServer = await startSlackHttpServer({ deps });
  return {
    requestUrl: server.requestUrl,
    signingSecret: deps.signingSecret,
    notifier: (event) => notify(event),
    slack: asLocalFunction("slack", createSlackLambdaHandler(deps)),
    stop: () => server.stop(),
  };
}
