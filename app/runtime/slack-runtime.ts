import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoSessionStore } from "../adapters/dynamodb/session-store.ts";
import { DynamoSlackState } from "../adapters/dynamodb/slack-state.ts";
import { LambdaSessionStarter } from "../adapters/lambda/session-starter.ts";
import { LambdaSlackJobQueue } from "../adapters/lambda/slack-jobs.ts";
import { SchedulerDailySchedule } from "../adapters/scheduler/daily-schedule.ts";
import { ConfigError } from "../config/config.ts";
import { deepCheckScheduleName } from "../config/profile-settings.ts";
import type { Log } from "../pipeline/context.ts";
import type { SlackHandlerDeps } from "../slack/app.ts";
import type { SlackPolicy } from "../slack/authorization.ts";
import { createWebClient, WebApiChat } from "../slack/chat.ts";
import type { NotifierDeps } from "../slack/notifications.ts";
import {
  type NotifySettings,
  parseLinkTemplate,
  parseNotifyMode,
  parseOncall,
  parseQuietHours,
} from "../slack/notify-settings.ts";
import { PacedChat } from "../slack/paced-chat.ts";
import { ENV, resourceNames } from "../wiring.ts";
import { perContainer } from "./per-container.ts";
import { getPipelineRuntime, type PipelineRuntime } from "./pipeline-runtime.ts";
import { resolveSecret } from "./secrets.ts";
import { asLog, createLogger } from "./telemetry.ts";

export interface SlackRuntime {
  deps: SlackHandlerDeps;
  /** Publishes the invocation's metrics; call after each invocation. */
  flush(): void;
}

export interface SlackRuntimeOverrides {
  env?: NodeJS.ProcessEnv;
  /** @default getPipelineRuntime() */
  pipeline?: PipelineRuntime;
}

/** The Slack function's ports from its environment: secrets (SSM or plain), the coordinator, the daily schedule. */
export async function createSlackRuntime(overrides: SlackRuntimeOverrides = {}): Promise<SlackRuntime> {
  const env = overrides.env ?? process.env;
  const [signingSecret, botToken, pipeline] = await Promise.all([
    resolveSecret(env, ENV.slackSigningSecret, ENV.slackSigningSecretParameter),
    resolveSecret(env, ENV.slackBotToken, ENV.slackBotTokenParameter),
    overrides.pipeline ?? getPipelineRuntime(),
  ]);
  // Hand-offs happen while Slack waits for its answer: a short timeout, and one retry.
  const handOffClient = new LambdaClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const deps: SlackHandlerDeps = {
    signingSecret,
    botToken,
    ...botIds(env),
    ...(env[ENV.slackApiUrl] ? { slackApiUrl: env[ENV.slackApiUrl] } : {}),
    operations: pipeline.operations,
    starter: new LambdaSessionStarter({
      client: new LambdaClient({}),
      functionName: required(env, ENV.coordinatorArn),
    }),
    jobs: new LambdaSlackJobQueue({
      client: handOffClient,
      functionName: ownFunctionName(env),
    }),
    schedule: new SchedulerDailySchedule({
      client: new SchedulerClient({}),
      name: required(env, ENV.dailyScheduleName),
      groupName: pipeline.config.scheduleGroup,
      // The weekly deep check pauses and resumes with the daily run.
      alongside: env[ENV.stack] ? [deepCheckScheduleName(env[ENV.stack] as string)] : [],
    }),
    policy: slackPolicyFromEnv(env),
    log: pipeline.ctx.log,
    state: new DynamoSlackState({ client: documentClient(), tableName: pipeline.config.tableName }),
  };
  return { deps, flush: pipeline.flush };
}

/** One Slack runtime per cold start, built on first use. */
export const getSlackRuntime: () => Promise<SlackRuntime> = perContainer(() => createSlackRuntime());

/**
 * The notifier's ports: the bot token, the default channel and the Web API URL; the table, whose sessions and
 * results it reads and where Slack keeps its own state (mutes, each universe's last failures, what was posted);
 * who is mentioned and when. `deadline` (ms) bounds any wait for Slack's rate limits within one invocation.
 */
export async function createNotifierDeps(
  env: NodeJS.ProcessEnv = process.env,
  log?: Log,
  deadline: () => number = () => Number.POSITIVE_INFINITY,
): Promise<NotifierDeps> {
  const token = await resolveSecret(env, ENV.slackBotToken, ENV.slackBotTokenParameter);
  const client = createWebClient(token, env[ENV.slackApiUrl] ? { slackApiUrl: env[ENV.slackApiUrl] } : {});
  const tableName = required(env, ENV.tableName);
  const documents = documentClient();
  return {
    chat: new PacedChat(new WebApiChat(client), { deadline }),
    defaultChannel: required(env, ENV.slackChannel),
    log: log ?? asLog(createLogger()),
    results: new DynamoSessionStore({ client: documents, tableName }),
    state: new DynamoSlackState({ client: documents, tableName }),
    settings: notifySettingsFromEnv(env),
  };
}

/**
 * DQ_SLACK_ONCALL, DQ_SLACK_NOTIFY, DQ_SLACK_QUIET_HOURS and DQ_SLACK_REPORT_URL; on AWS, "Open logs" goes to the
 * processor's log events for the session in the CloudWatch console.
 */
export function notifySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): NotifySettings {
  const value = (name: string) => env[name]?.trim() || undefined;
  const read = <T>(name: string, parse: (text: string) => T): T | undefined => {
    const text = value(name);
    if (text === undefined) return undefined;
    try {
      return parse(text);
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`, { cause: error });
    }
  };
  const oncall = read(ENV.slackOncall, parseOncall);
  const notify = read(ENV.slackNotify, parseNotifyMode);
  const quietHours = read(ENV.slackQuietHours, parseQuietHours);
  const reportUrl = read(ENV.slackReportUrl, (text) => parseLinkTemplate(text, "report"));
  const logsUrl = cloudWatchLogsUrl(env);
  return {
    ...(oncall ? { oncall } : {}),
    ...(notify ? { notify } : {}),
    ...(quietHours ? { quietHours } : {}),
    ...(reportUrl ? { reportUrl } : {}),
    ...(logsUrl ? { logsUrl } : {}),
  };
}

/** The processor's log events filtered on `{session}`, when running on Lambda (the local stack has no console). */
function cloudWatchLogsUrl(env: NodeJS.ProcessEnv): string | undefined {
  const region = env.AWS_REGION;
  const stack = env[ENV.stack];
  if (!env.AWS_LAMBDA_FUNCTION_NAME || !region || !stack) return undefined;
  // The console's fragment escapes "%" as "$25" ("/" is "%2F", so "$252F").
  const group = encodeURIComponent(encodeURIComponent(`/aws/lambda/${resourceNames(stack).function("processor")}`));
  const filter = `$3FfilterPattern$3D$2522{session}$2522`;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${group.replaceAll("%", "$")}/log-events${filter}`;
}

function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
}

/** Comma- or space-separated Slack IDs from DQ_SLACK_ALLOWED_USERS, DQ_SLACK_ALLOWED_CHANNELS and DQ_SLACK_ADMINS. */
export function slackPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): SlackPolicy {
  return {
    allowedUsers: ids(env, ENV.slackAllowedUsers),
    allowedChannels: ids(env, ENV.slackAllowedChannels),
    admins: ids(env, ENV.slackAdmins),
  };
}

function ids(env: NodeJS.ProcessEnv, variable: string): string[] {
  const values = (env[variable] ?? "").split(/[\s,]+/).filter(Boolean);
  const bad = values.find((v) => !/^[A-Z0-9]{2,32}$/.test(v));
  if (bad !== undefined)
    throw new ConfigError(`${variable}: ${JSON.stringify(bad.slice(0, 40))} is not a Slack ID such as U0123ABCD`);
  return values;
}

/** DQ_SLACK_BOT_USER_ID and DQ_SLACK_BOT_ID, when set: the IDs auth.test would otherwise be called for. */
function botIds(env: NodeJS.ProcessEnv): { botUserId?: string; botId?: string } {
  const [botUserId, botId] = [env[ENV.slackBotUserId] || undefined, env[ENV.slackBotId] || undefined];
  for (const [variable, value, prefix] of [
    [ENV.slackBotUserId, botUserId, "U"],
    [ENV.slackBotId, botId, "B"],
  ] as const)
    if (value !== undefined && !new RegExp(`^${prefix}[A-Z0-9]{2,31}$`).test(value))
      throw new ConfigError(`${variable}: ${JSON.stringify(value.slice(0, 40))} is not a Slack ${prefix}… ID`);
  return { ...(botUserId ? { botUserId } : {}), ...(botId ? { botId } : {}) };
}

/** The function's own name: DQ_SLACK_FUNCTION_NAME, or the one Lambda sets for every function. */
function ownFunctionName(env: NodeJS.ProcessEnv): string {
  const name = env[ENV.slackFunctionName] || env.AWS_LAMBDA_FUNCTION_NAME;
  if (!name) throw new ConfigError(`${ENV.slackFunctionName} is not set`);
  return name;
}

function required(env: NodeJS.ProcessEnv, variable: string): string {
  const value = env[variable];
  if (!value) throw new ConfigError(`${variable} is not set`);
  return value;
}
