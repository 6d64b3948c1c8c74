import type * as pulumi from "@pulumi/pulumi";
import { PROFILE_ENV } from "../app/config/load-profile.ts";
import { ENV, type FunctionName, METRICS } from "../app/wiring.ts";
import type { SecretKey, StackSettings } from "./config.ts";
import type { InfraNames } from "./names.ts";

/**
 * How the functions that build the pipeline get the datalake profile: its text in DQ_PROFILE when their
 * environments hold it, else the SSM parameter's `name:version` in DQ_PROFILE_PARAMETER (see profileDelivery).
 */
export type ProfileDelivery = { inline: string } | { parameter: pulumi.Input<string> };

/** What the functions' environments are made of. */
export interface EnvironmentSources {
  settings: StackSettings;
  names: InfraNames;
  tableName: pulumi.Input<string>;
  queueUrl: pulumi.Input<string>;
  queueArn: pulumi.Input<string>;
  /** Where failed starts and undeliverable resumes go. */
  startDeadLetterQueueArn: pulumi.Input<string>;
  eventBusName: pulumi.Input<string>;
  scheduleGroupName: pulumi.Input<string>;
  schedulerRoleArn: pulumi.Input<string>;
  /** SSM parameter names, never the secrets. */
  parameterNames: Record<SecretKey, pulumi.Input<string>>;
  /** The credit ledger's account: the hash of the provider key (not a secret; the key stays in SSM). */
  ledgerAccount: pulumi.Input<string>;
  profile: ProfileDelivery;
  coordinatorArn?: pulumi.Input<string>;
}

type Environment = Record<string, pulumi.Input<string>>;

/** What app/runtime/pipeline-runtime.ts reads: every function that builds the pipeline gets all of it. */
function pipeline(s: EnvironmentSources): Environment {
  const { provider } = s.settings;
  return {
    [ENV.tableName]: s.tableName,
    [ENV.retentionDays]: String(s.settings.retentionDays),
    [ENV.queueUrl]: s.queueUrl,
    [ENV.queueArn]: s.queueArn,
    [ENV.eventBusName]: s.eventBusName,
    [ENV.scheduleGroup]: s.scheduleGroupName,
    [ENV.schedulerRoleArn]: s.schedulerRoleArn,
    [ENV.resumeDeadLetterArn]: s.startDeadLetterQueueArn,
    [ENV.twelveDataBaseUrl]: provider.baseUrl,
    // The ledger is keyed by the provider key's hash: given as such, only the processor needs the key itself.
    [ENV.ledgerAccount]: s.ledgerAccount,
    // Only when the ledger is another stack's, whose provider key this stack shares.
    ...(s.settings.ledgerTable === null ? {} : { [ENV.ledgerTable]: s.settings.ledgerTable }),
    [ENV.creditsPerMinute]: String(provider.creditsPerMinute),
    [ENV.creditsPerDay]: provider.creditsPerDay === null ? "none" : String(provider.creditsPerDay),
    [ENV.batchSize]: String(provider.batchSize),
    [ENV.datalake]: s.settings.datalake.uri,
    [ENV.lookbackDays]: String(s.settings.lookbackDays),
    // The queue's visibility is made from it (queues.ts); the pipeline derives its lease and sweep from it too.
    [ENV.processorTimeoutSeconds]: String(s.settings.functions.processor.timeoutSeconds),
    ...profileOf(s),
  };
}

/** The datalake profile, as its readers get it: inline, or the parameter's `name:version`. */
function profileOf(s: EnvironmentSources): Environment {
  return "inline" in s.profile
    ? { [PROFILE_ENV.inline]: s.profile.inline }
    : { [PROFILE_ENV.parameter]: s.profile.parameter };
}

function slackChannel(s: EnvironmentSources): Environment {
  return {
    [ENV.slackChannel]: s.settings.slack.channel,
    [ENV.slackBotTokenParameter]: s.parameterNames.slackBotToken,
  };
}

/** Who the notifier mentions and when, and the summary's report link; unset settings stay out. */
function notifications(s: EnvironmentSources): Environment {
  const { slack } = s.settings;
  return {
    [ENV.slackNotify]: slack.notify,
    ...(slack.oncall ? { [ENV.slackOncall]: slack.oncall } : {}),
    ...(slack.quietHours ? { [ENV.slackQuietHours]: slack.quietHours } : {}),
    ...(slack.reportUrl ? { [ENV.slackReportUrl]: slack.reportUrl } : {}),
  };
}

/** What every function gets: who it is, for its logs and its metrics' dimensions. */
export function identity(s: EnvironmentSources): Environment {
  return { [ENV.powertoolsServiceName]: METRICS.service(s.settings.stack), [ENV.stack]: s.settings.stack };
}

/**
 * Functions deployed without source maps. The Slack function must answer Slack within 3 s: with maps, the first
 * stack trace of a cold instance costs about half a second (Node parses the 3 MB map then), measured in
 * docs/deploy.md, for a thin function whose failures are rare and whose stack traces stay short.
 */
export const WITHOUT_SOURCE_MAPS: readonly FunctionName[] = ["slack"];

/** A function's whole environment: who it is, how Node runs it, and what its code reads. */
export function functionEnvironment(name: FunctionName, s: EnvironmentSources): Environment {
  return {
    ...(WITHOUT_SOURCE_MAPS.includes(name) ? {} : { NODE_OPTIONS: "--enable-source-maps" }),
    ...identity(s),
    ...ENVIRONMENTS[name](s),
  };
}

/** Lambda refuses a function whose environment variables take more than 4 KB in all. */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;

/** The `dq:` keys whose values go into an environment as they are, to name them when one is too large. */
const CONFIG_KEY_OF: Record<string, string> = {
  [ENV.datalake]: "datalake",
  [ENV.twelveDataBaseUrl]: "twelveDataBaseUrl",
  [ENV.slackChannel]: "slackChannel",
  [ENV.slackAllowedUsers]: "slackAllowedUsers",
  [ENV.slackAllowedChannels]: "slackAllowedChannels",
  [ENV.slackAdmins]: "slackAdmins",
};

/** The size Lambda's limit is checked against, counted as the JSON of the variables (a little more than keys + values). */
export function environmentBytes(variables: Record<string, string>): number {
  return Buffer.byteLength(JSON.stringify(variables));
}

/**
 * Each function's environment at its largest: what AWS only assigns at deploy time (ARNs, URLs, a generated role
 * name) at the longest it can be, in the longest partition and region.
 */
export function largestEnvironments(
  settings: StackSettings,
  names: InfraNames,
  profile: ProfileDelivery,
): Record<FunctionName, Record<string, string>> {
  const at = "aws-us-gov:SERVICE:ap-southeast-99:123456789012";
  const arn = (service: string, resource: string) => `arn:${at.replace("SERVICE", service)}:${resource}`;
  const sources: EnvironmentSources = {
    settings,
    names,
    tableName: names.table,
    queueUrl: `https://sqs.ap-southeast-99.amazonaws.com/123456789012/${names.queue}`,
    queueArn: arn("sqs", names.queue),
    startDeadLetterQueueArn: arn("sqs", names.startDeadLetterQueue),
    eventBusName: names.eventBus,
    scheduleGroupName: names.scheduleGroup,
    schedulerRoleArn: `arn:aws-us-gov:iam::123456789012:role/${names.scheduleGroup}-role-0123456`,
    parameterNames: names.secretParameters,
    ledgerAccount: "0123456789abcdef",
    // Room for a parameter version of seven digits.
    profile: "inline" in profile ? profile : { parameter: `${names.profileParameter}:9999999` },
    coordinatorArn: arn("lambda", `function:${names.function("coordinator")}`),
  };
  return Object.fromEntries(
    (Object.keys(ENVIRONMENTS) as FunctionName[]).map((name) => [
      name,
      functionEnvironment(name, sources) as Record<string, string>,
    ]),
  ) as Record<FunctionName, Record<string, string>>;
}

/**
 * Whether the profile goes into the environments as it is (when every function that gets it still fits Lambda's
 * 4 KB with it, at their largest) or into an SSM parameter.
 */
export function profileDelivery(settings: StackSettings, names: InfraNames, text: string): "inline" | "parameter" {
  const environments = largestEnvironments(settings, names, { inline: text });
  const fits = Object.values(environments).every(
    (variables) => environmentBytes(variables) <= LAMBDA_ENVIRONMENT_BYTES,
  );
  return fits ? "inline" : "parameter";
}

/** What would make CreateFunction fail on the 4 KB limit, naming the function and the keys that take the most. */
export function environmentIssues(settings: StackSettings, names: InfraNames, profile: ProfileDelivery): string[] {
  return Object.entries(largestEnvironments(settings, names, profile)).flatMap(([name, variables]) => {
    const bytes = environmentBytes(variables);
    if (bytes <= LAMBDA_ENVIRONMENT_BYTES) return [];
    const largest = Object.entries(variables)
      .filter(([variable]) => variable in CONFIG_KEY_OF)
      .map(([variable, value]) => [CONFIG_KEY_OF[variable], Buffer.byteLength(value)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([key, size]) => `dq:${key} (${size} bytes)`);
    return [
      `the ${name} function's environment would take ${bytes} bytes, above Lambda's ${LAMBDA_ENVIRONMENT_BYTES}: shorten ${largest.join(" or ")}`,
    ];
  });
}

/** The environment of each function: names and settings, with secrets as SSM parameter names only. */
export const ENVIRONMENTS: Record<FunctionName, (s: EnvironmentSources) => Environment> = {
  // The functions that start sessions read the explicit universe from SSM (see infra/universe.ts).
  coordinator: (s) => ({ ...pipeline(s), [ENV.universeParameterPath]: s.names.universeParameterPath }),
  // The only function that calls the provider.
  processor: (s) => ({ ...pipeline(s), [ENV.twelveDataApiKeyParameter]: s.parameterNames.twelveDataApiKey }),
  deadLetter: pipeline,
  // The notifier reads the session's results for the summary and its thread, and keeps Slack's own items (mutes,
  // each universe's last failures, what it posted) in the same table; its report page reads the datalake as the
  // profile says (column names, aliases, time zones).
  notifier: (s) => ({
    ...slackChannel(s),
    [ENV.tableName]: s.tableName,
    ...notifications(s),
    ...profileOf(s),
    [ENV.reportLinkSeconds]: String(s.settings.reportLinkDays * 86_400),
  }),
  // The Slack app reads and steers sessions itself (status, list, cancel, retry) besides starting the coordinator.
  slack: (s) => {
    if (s.coordinatorArn === undefined) throw new Error("the Slack function's environment needs the coordinator's ARN");
    const { slack } = s.settings;
    return {
      ...pipeline(s),
      ...slackChannel(s),
      [ENV.slackSigningSecretParameter]: s.parameterNames.slackSigningSecret,
      [ENV.slackAllowedUsers]: slack.allowedUsers.join(","),
      [ENV.slackAllowedChannels]: slack.allowedChannels.join(","),
      [ENV.slackAdmins]: slack.admins.join(","),
      [ENV.coordinatorArn]: s.coordinatorArn,
      [ENV.dailyScheduleName]: s.names.dailySchedule,
      // It acknowledges each request and hands the work to an asynchronous invocation of itself.
      [ENV.slackFunctionName]: s.names.function("slack"),
      ...(slack.botUserId ? { [ENV.slackBotUserId]: slack.botUserId } : {}),
      ...(slack.botId ? { [ENV.slackBotId]: slack.botId } : {}),
    };
  },
};
