import { randomBytes } from "node:crypto";
import { SocketModeReceiver } from "@slack/bolt";
import type { Clock } from "../../app/domain/clock.ts";
import { createSlackLambdaHandler } from "../../app/handlers/slack.ts";
import type { Log } from "../../app/pipeline/context.ts";
import type { PipelineRuntime } from "../../app/runtime/pipeline-runtime.ts";
import { createReportLinkRoute } from "../../app/runtime/report-links.ts";
import { createReportAfterSummary } from "../../app/runtime/report-runtime.ts";
import { createNotifierDeps, createSlackRuntime } from "../../app/runtime/slack-runtime.ts";
import { createSlackApp } from "../../app/slack/app.ts";
import { boltLogger } from "../../app/slack/bolt-logger.ts";
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

/** The app-level token (xapp-…) that turns on Socket Mode; not a setting of the deployed app (it has a function URL). */
export const SLACK_APP_TOKEN = "SLACK_APP_TOKEN";

/**
 * Where the local stack's Slack app talks to. Each setting left out falls back to the local one: with neither
 * `botToken` nor `apiUrl`, the app posts to a fake Slack Web API started for it.
 */
export interface LocalSlackOptions {
  /** Printed or posted messages of the fake Slack (with the fake only). */
  onMessage?: FakeSlackOptions["onMessage"];
  /** Verifies every request to the local request URL. @default a fresh random secret */
  signingSecret?: string;
  /** The bot token (xoxb-…) of a real Slack app, or of a Slack-compatible API. @default the fake's */
  botToken?: string;
  /** The Web API base (`https://slack.com/api/`, or a compatible server's). @default Slack's, with a bot token */
  apiUrl?: string;
  /** Also connect to Slack over Socket Mode with this app-level token (xapp-…): no public URL needed. */
  appToken?: string;
  /** The notification channel and who may use `/dq`. @default the local channel and admin */
  channel?: string;
  allowedUsers?: string;
  allowedChannels?: string;
  admins?: string;
}

/** Thrown for Slack settings that cannot work together. */
export class LocalSlackConfigError extends Error {
  override name = "LocalSlackConfigError";
}

/**
 * The Slack settings of `dq local` from the variables the deployed functions read (SLACK_SIGNING_SECRET,
 * SLACK_BOT_TOKEN, SLACK_API_URL, DQ_SLACK_*) and SLACK_APP_TOKEN for Socket Mode. Unset ones stay local.
 */
export function localSlackOptionsFromEnv(env: NodeJS.ProcessEnv): LocalSlackOptions {
  const value = (name: string) => env[name] || undefined;
  const options: LocalSlackOptions = {
    signingSecret: value(ENV.slackSigningSecret),
    botToken: value(ENV.slackBotToken),
    apiUrl: value(ENV.slackApiUrl),
    appToken: value(SLACK_APP_TOKEN),
    channel: value(ENV.slackChannel),
    allowedUsers: value(ENV.slackAllowedUsers),
    allowedChannels: value(ENV.slackAllowedChannels),
    admins: value(ENV.slackAdmins),
  };
  if (options.apiUrl && !options.botToken)
    throw new LocalSlackConfigError(
      `${ENV.slackApiUrl} is set but ${ENV.slackBotToken} is not: set both to use that Slack API, or neither for the local fake Slack`,
    );
  if (options.appToken && !options.botToken)
    throw new LocalSlackConfigError(
      `${SLACK_APP_TOKEN} is set but ${ENV.slackBotToken} is not: Socket Mode needs the app's bot token (xoxb-…) too`,
    );
  if (options.appToken && !options.appToken.startsWith("xapp-"))
    throw new LocalSlackConfigError(`${SLACK_APP_TOKEN} must be an app-level token (xapp-…)`);
  return options;
}

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

/** The local Slack app whatever it talks to: the fake Slack (`fakeSlack`), or a real or compatible Web API. */
export interface LocalSlackApp extends Omit<LocalSlack, "fakeSlack"> {
  fakeSlack?: FakeSlack;
  /** The Web API the app and the notifier post to. */
  apiUrl: string;
  /** Connected to Slack over Socket Mode. */
  socketMode: boolean;
}

const SLACK_WEB_API = "https://slack.com/api/";

/**
 * The Slack environment of the local stack: the Web API (a fake one unless a bot token or API URL is given), a
 * signing secret, the channel and who may use `/dq`.
 */
export async function startLocalSlackApi(
  options: LocalSlackOptions = {},
): Promise<{ fakeSlack?: FakeSlack; env: Record<string, string> }> {
  const external = options.botToken !== undefined || options.apiUrl !== undefined;
  const fakeSlack = external
    ? undefined
    : await startFakeSlack({ token: LOCAL_SLACK.botToken, onMessage: options.onMessage });
  const channel = options.channel ?? LOCAL_SLACK.channel;
  const env: Record<string, string> = {
    [ENV.slackApiUrl]: fakeSlack?.apiUrl ?? options.apiUrl ?? SLACK_WEB_API,
    [ENV.slackBotToken]: options.botToken ?? LOCAL_SLACK.botToken,
    [ENV.slackSigningSecret]: options.signingSecret ?? randomBytes(16).toString("hex"),
    [ENV.slackChannel]: channel,
    [ENV.slackAllowedChannels]: options.allowedChannels ?? channel,
    [ENV.slackAdmins]: options.admins ?? (options.channel ? "" : LOCAL_SLACK.admin),
    [ENV.slackAllowedUsers]: options.allowedUsers ?? "",
  };
  return { fakeSlack, env };
}

/**
 * The real notifier and Slack functions over the local stack's environment, and the Slack app served on HTTP;
 * with an app-level token, the same app connected to Slack over Socket Mode too. `clock` is the stack's, so the
 * notifier reads a pause's end against the time the pipeline wrote it with.
 */
export async function startLocalSlackFunctions(
  env: NodeJS.ProcessEnv,
  pipeline: PipelineRuntime,
  log: Log,
  options: { appToken?: string; clock?: Clock } = {},
): Promise<Omit<LocalSlack, "fakeSlack" | "env"> & { socketMode: boolean }> {
  const notify = createNotifier({
    ...(await createNotifierDeps(env, log)),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { deps } = await createSlackRuntime({ env, pipeline });
  const reportLinks = await createReportLinkRoute(env, { log });
  const server: SlackHttpServer = await startSlackHttpServer({ deps, reportLinks });
  // As on AWS, where a reports bucket is set: the notifier keeps each finished session's page there and links it
  // through the Slack function's URL, which opens the link.
  if (reportLinks) env[ENV.reportLinkBase] = server.url;
  const report = await createReportAfterSummary(env, log);
  let stopSocket = async () => {};
  if (options.appToken) {
    const receiver = new SocketModeReceiver({ appToken: options.appToken, logger: boltLogger(log) });
    const app = createSlackApp({ ...deps, receiver });
    try {
      await app.start();
    } catch (error) {
      await server.stop();
      throw new LocalSlackConfigError(`Socket Mode: cannot connect to Slack: ${(error as Error).message}`, {
        cause: error,
      });
    }
    stopSocket = async () => {
      await app.stop();
    };
  }
  return {
    requestUrl: server.requestUrl,
    signingSecret: deps.signingSecret,
    socketMode: options.appToken !== undefined,
    notifier: async (event) => {
      const outcomes = await notify(event);
      await report?.(event, outcomes);
      return outcomes;
    },
    slack: asLocalFunction("slack", createSlackLambdaHandler(deps, { reportLinks })),
    stop: async () => {
      await stopSocket();
      await server.stop();
    },
  };
}
