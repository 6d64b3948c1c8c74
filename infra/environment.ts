import type * as pulumi from "@pulumi/pulumi";
import { ENV, type FunctionName, METRICS } from "../app/wiring.ts";
import type { SecretKey, StackSettings } from "./config.ts";
import type { InfraNames } from "./names.ts";

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
  coordinatorArn?: pulumi.Input<string>;
}

type Environment = Record<string, pulumi.Input<string>>;

/** What app/runtime/pipeline-runtime.ts reads: every function that builds the pipeline gets all of it. */
function pipeline(s: EnvironmentSources): Environment {
  const { provider, universe } = s.settings;
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
    [ENV.creditsPerMinute]: String(provider.creditsPerMinute),
    [ENV.creditsPerDay]: provider.creditsPerDay === null ? "none" : String(provider.creditsPerDay),
    [ENV.batchSize]: String(provider.batchSize),
    [ENV.datalake]: s.settings.datalake.uri,
    [ENV.symbols]: universe.symbols.join(","),
    [ENV.denySymbols]: universe.deny.join(","),
    [ENV.lookbackDays]: String(s.settings.lookbackDays),
  };
}

function slackChannel(s: EnvironmentSources): Environment {
  return {
    [ENV.slackChannel]: s.settings.slack.channel,
    [ENV.slackBotTokenParameter]: s.parameterNames.slackBotToken,
  };
}

/** What every function gets: who it is, for its logs and its metrics' dimensions. */
export function identity(s: EnvironmentSources): Environment {
  return { [ENV.powertoolsServiceName]: METRICS.service(s.settings.stack), [ENV.stack]: s.settings.stack };
}

/** The environment of each function: names and settings, with secrets as SSM parameter names only. */
export const ENVIRONMENTS: Record<FunctionName, (s: EnvironmentSources) => Environment> = {
  coordinator: pipeline,
  // The only function that calls the provider.
  processor: (s) => ({ ...pipeline(s), [ENV.twelveDataApiKeyParameter]: s.parameterNames.twelveDataApiKey }),
  deadLetter: pipeline,
  notifier: slackChannel,
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
    };
  },
};
