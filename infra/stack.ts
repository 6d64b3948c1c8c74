import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deepCheckSchedule } from "../app/config/profile-settings.ts";
import { accountOf } from "../app/pipeline/planning.ts";
import { ENV, FUNCTIONS, type FunctionName } from "../app/wiring.ts";
import { handlerArchive, writeBundles } from "./bundle.ts";
import { loadStackConfig, type StackConfig, StackConfigError } from "./config.ts";
import {
  type EnvironmentSources,
  environmentIssues,
  functionEnvironment,
  type ProfileDelivery,
  profileDelivery,
  WITHOUT_SOURCE_MAPS,
} from "./environment.ts";
import { DqQueueConsumer } from "./event-sources.ts";
import { DqEventBus, DqEventRules } from "./events.ts";
import { DqFunction } from "./functions.ts";
import { DqLedger } from "./ledger.ts";
import { infraNames } from "./names.ts";
import { DqObservability } from "./observability.ts";
import { GRANTS, type GrantTargets } from "./permissions.ts";
import { DqProfileParameter } from "./profile.ts";
import { DqQueues } from "./queues.ts";
import { DqReports, REPORTS_BUCKET_ENV } from "./reports.ts";
import { DqDailySchedule, DqDeepCheckSchedule, DqScheduler, scheduleArn } from "./schedule.ts";
import { DqSecrets } from "./secrets.ts";
import { DqSlackEndpoint } from "./slack-endpoint.ts";
import { DqTable } from "./table.ts";
import { DqUniverse } from "./universe.ts";

export interface CreateStackOptions {
  /** @default loadStackConfig(): the current stack's `dq:` config */
  config?: StackConfig;
  /** Each function's deployment package. @default esbuild bundle of FUNCTIONS[name].entry */
  code?: (name: FunctionName, entry: string) => pulumi.Input<pulumi.asset.Archive>;
  /** Where `dq:profile` (or dq.config.yaml) is looked for. @default the project's directory (Pulumi.yaml's) */
  projectDir?: string;
}

/** The stack outputs. */
export interface DqStackOutputs {
  /** Paste into the Slack app: Slash Commands and Interactivity request URL. */
  slackRequestUrl: pulumi.Output<string>;
  tableName: pulumi.Output<string>;
  queueName: pulumi.Output<string>;
  deadLetterQueueName: pulumi.Output<string>;
  dashboardUrl: pulumi.Output<string>;
  eventBusName: pulumi.Output<string>;
  scheduleGroupName: pulumi.Output<string>;
}

const DESCRIPTIONS: Record<FunctionName, string> = {
  coordinator: "plans a session and starts its pump",
  processor: "validates one batch of symbols against the reference provider",
  deadLetter: "marks dead-lettered batches failed and keeps their session moving",
  notifier: "posts session outcomes, progress and alarms to Slack",
  slack: "the /dq Slack app",
};

/**
 * Bundles every function's entry in one esbuild run when the program runs, to files under dist/lambda: each
 * function deploys its directory as a FileArchive, so the state holds a path and a hash, not the code.
 */
function bundledCode(): NonNullable<CreateStackOptions["code"]> {
  const bundles = writeBundles(
    Object.fromEntries(Object.entries(FUNCTIONS).map(([name, f]) => [name, f.entry])) as Record<FunctionName, string>,
    { withoutSourceMaps: WITHOUT_SOURCE_MAPS },
  );
  return (name) => {
    const bundle = bundles.get(name);
    if (!bundle) throw new Error(`no bundle for ${name}`);
    return handlerArchive(bundle);
  };
}

/** The AWS console's host name in a partition (the dashboard's link). */
function consoleHost(partition: { partition: string; dnsSuffix: string }): string {
  if (partition.partition === "aws") return "console.aws.amazon.com";
  if (partition.partition === "aws-us-gov") return "console.amazonaws-us-gov.com";
  return `console.${partition.dnsSuffix}`;
}

/** The whole system for one stack: data, queues, functions, events, schedule, secrets and observability. */
export function createStack(options: CreateStackOptions = {}): DqStackOutputs {
  const config = options.config ?? loadStackConfig(undefined, undefined, undefined, options.projectDir);
  const names = infraNames(config.stack);
  // The profile goes into the environments when they hold it, else into an SSM parameter they name.
  const profileInline = profileDelivery(config, names, config.profile.text) === "inline";
  // Refused before anything is built: CreateFunction would fail halfway through the first deploy.
  const tooLarge = environmentIssues(
    config,
    names,
    profileInline ? { inline: config.profile.text } : { parameter: names.profileParameter },
  );
  if (tooLarge.length > 0) throw new StackConfigError(config.stack, tooLarge);
  const code = options.code ?? bundledCode();
  // Every resource goes through one provider, which tags it with the project and the stack.
  const provider = new aws.Provider(`dq-${config.stack}`, {
    region: config.region as aws.Region,
    defaultTags: { tags: { project: pulumi.getProject(), stack: config.stack } },
  });
  const opts: pulumi.ComponentResourceOptions = { providers: [provider] };
  const partition = aws.getPartitionOutput({}, { provider });

  const ledgerAccount = pulumi.unsecret(config.secrets.twelveDataApiKey.apply(accountOf));
  new DqLedger(
    `dq-${config.stack}-ledger`,
    {
      stack: config.stack,
      tableName: names.table,
      account: ledgerAccount,
      ...(config.ledgerTable === null ? {} : { sharedTable: config.ledgerTable }),
    },
    opts,
  );
  const table = new DqTable(names.table, { name: names.table, protect: config.protect }, opts);
  const queues = new DqQueues(
    `dq-${config.stack}-queues`,
    {
      workQueueName: names.queue,
      deadLetterQueueName: names.deadLetterQueue,
      parkedQueueName: names.parkedQueue,
      startDeadLetterQueueName: names.startDeadLetterQueue,
      undeliveredQueueName: names.undeliveredQueue,
      processorTimeoutSeconds: config.functions.processor.timeoutSeconds,
      deadLetterTimeoutSeconds: config.functions.deadLetter.timeoutSeconds,
    },
    opts,
  );
  const secrets = new DqSecrets(
    `dq-${config.stack}-secrets`,
    {
      names: {
        twelveDataApiKey: names.secretParameters.twelveDataApiKey,
        slackBotToken: names.secretParameters.slackBotToken,
        slackSigningSecret: names.secretParameters.slackSigningSecret,
      },
      values: config.secrets,
    },
    opts,
  );
  const universe = new DqUniverse(
    `dq-${config.stack}-universe`,
    {
      path: names.universeParameterPath,
      universe: config.universe,
    },
    opts,
  );
  const profileParameter = profileInline
    ? undefined
    : new DqProfileParameter(
        `dq-${config.stack}-profile`,
        { name: names.profileParameter, profile: config.profile },
        opts,
      );
  const profile: ProfileDelivery = profileParameter
    ? { parameter: profileParameter.selector }
    : { inline: config.profile.text };
  const events = new DqEventBus(names.eventBus, { busName: names.eventBus }, opts);
  const scheduler = new DqScheduler(names.scheduleGroup, { groupName: names.scheduleGroup }, opts);

  const targets: GrantTargets = {
    tableArn: table.arn,
    sessionsIndexArn: table.sessionsIndexArn,
    workQueueArn: queues.workQueue.arn,
    deadLetterQueueArn: queues.deadLetterQueue.arn,
    startDeadLetterQueueArn: queues.startDeadLetterQueue.arn,
    undeliveredQueueArn: queues.undeliveredQueue.arn,
    eventBusArn: events.bus.arn,
    groupSchedulesArn: scheduler.schedulesArn,
    dailyScheduleArn: scheduleArn(scheduler.group.arn, names.dailySchedule),
    deepCheckScheduleArn: scheduleArn(scheduler.group.arn, names.deepCheckSchedule),
    schedulerRoleArn: scheduler.role.arn,
    parameterArns: {
      twelveDataApiKey: secrets.parameters.twelveDataApiKey.arn,
      slackBotToken: secrets.parameters.slackBotToken.arn,
      slackSigningSecret: secrets.parameters.slackSigningSecret.arn,
    },
    universePathArn: universe.pathArn,
    ...(profileParameter ? { profileParameterArn: profileParameter.parameter.arn } : {}),
    partition: partition.partition,
    ...(config.ledgerTable === null
      ? {}
      : {
          sharedLedger: {
            tableArn: pulumi.interpolate`arn:${partition.partition}:dynamodb:${config.region}:${
              aws.getCallerIdentityOutput({}, { provider }).accountId
            }:table/${config.ledgerTable}`,
            account: ledgerAccount,
          },
        }),
    datalake: config.datalake,
  };
  const sources: EnvironmentSources = {
    settings: config,
    names,
    tableName: table.name,
    queueUrl: queues.workQueue.url,
    queueArn: queues.workQueue.arn,
    startDeadLetterQueueArn: queues.startDeadLetterQueue.arn,
    eventBusName: events.bus.name,
    scheduleGroupName: scheduler.group.name,
    schedulerRoleArn: scheduler.role.arn,
    ledgerAccount,
    profile,
    parameterNames: {
      twelveDataApiKey: secrets.parameters.twelveDataApiKey.name,
      slackBotToken: secrets.parameters.slackBotToken.name,
      slackSigningSecret: secrets.parameters.slackSigningSecret.name,
    },
  };

  const reports = new DqReports(
    `dq-${config.stack}-reports`,
    { bucketPrefix: `dq-${config.stack}-reports-`, forceDestroy: !config.protect },
    opts,
  );
  const deploy = (
    name: FunctionName,
    coordinatorArn?: pulumi.Input<string>,
    extra: Record<string, pulumi.Input<string>> = {},
  ) =>
    new DqFunction(
      names.function(name),
      {
        functionName: names.function(name),
        description: DESCRIPTIONS[name],
        code: code(name, FUNCTIONS[name].entry),
        ...config.functions[name],
        logRetentionDays: config.logRetentionDays,
        environment: {
          ...functionEnvironment(name, { ...sources, coordinatorArn }),
          ...(name === "notifier" || name === "slack" ? { [REPORTS_BUCKET_ENV]: reports.bucket.id } : {}),
          ...extra,
        },
        statements: GRANTS[name]({ ...targets, coordinatorArn }),
        // The public function is capped, so a flood of requests cannot take the concurrency the pipeline needs.
        ...(name === "slack" && config.slackReservedConcurrency !== null
          ? { reservedConcurrency: config.slackReservedConcurrency }
          : {}),
      },
      opts,
    );
  const coordinator = deploy("coordinator");
  const slack = deploy("slack", coordinator.arn);
  // The Slack function's URL opens report links, so the notifier, which posts them, is told it.
  const slackEndpoint = new DqSlackEndpoint(`dq-${config.stack}-slack`, { slack }, opts);
  const functions: Record<FunctionName, DqFunction> = {
    coordinator,
    processor: deploy("processor"),
    deadLetter: deploy("deadLetter"),
    notifier: deploy("notifier", undefined, { [ENV.reportLinkBase]: slackEndpoint.url.functionUrl }),
    slack,
  };
  reports.grantNotifier(functions.notifier.role);
  reports.grantLinkOpener(functions.slack.role);

  new DqQueueConsumer(
    `${names.queue}-consumer`,
    {
      queue: queues.workQueue,
      consumer: functions.processor,
      maximumConcurrency: config.processorMaxConcurrency,
    },
    opts,
  );
  new DqQueueConsumer(
    `${names.deadLetterQueue}-consumer`,
    {
      queue: queues.deadLetterQueue,
      consumer: functions.deadLetter,
      maximumConcurrency: 2,
    },
    opts,
  );
  const rules = new DqEventRules(
    `${names.eventBus}-rules`,
    {
      bus: events.bus,
      functions,
      prefix: `dq-${config.stack}`,
      deadLetterQueueArn: queues.undeliveredQueue.arn,
    },
    opts,
  );
  const daily = new DqDailySchedule(
    names.dailySchedule,
    {
      scheduler,
      scheduleName: names.dailySchedule,
      expression: config.schedule.expression,
      timezone: config.schedule.timezone,
      enabled: config.schedule.enabled,
      coordinatorArn: coordinator.arn,
      coordinatorName: coordinator.name,
      workQueueArn: queues.workQueue.arn,
      startDeadLetterQueueArn: queues.startDeadLetterQueue.arn,
    },
    opts,
  );
  // The weekly deep check, when the profile has one.
  const deepCheck = deepCheckSchedule(config.profile.profile);
  if (deepCheck) {
    new DqDeepCheckSchedule(
      names.deepCheckSchedule,
      {
        daily,
        scheduler,
        scheduleName: names.deepCheckSchedule,
        expression: deepCheck.cron,
        input: deepCheck.input,
        enabled: config.schedule.enabled,
        coordinatorArn: coordinator.arn,
        startDeadLetterQueueArn: queues.startDeadLetterQueue.arn,
      },
      opts,
    );
  }
  const observability = new DqObservability(
    `dq-${config.stack}-observability`,
    {
      names,
      functions,
      workQueueName: queues.workQueue.name,
      deadLetterQueueName: queues.deadLetterQueue.name,
      parkedQueueName: queues.parkedQueue.name,
      startDeadLetterQueueName: queues.startDeadLetterQueue.name,
      undeliveredQueue: queues.undeliveredQueue,
      ruleArns: rules.rules.map((r) => r.arn),
      processorErrorsThreshold: config.alarms.processorErrors,
      deadLetterThreshold: config.alarms.deadLetterMessages,
      alarmEmail: config.alarms.email,
      alarmTopicArn: config.alarms.topicArn,
      consoleHost: partition.apply(consoleHost),
    },
    opts,
  );
  return {
    slackRequestUrl: slackEndpoint.requestUrl,
    tableName: table.name,
    queueName: queues.workQueue.name,
    deadLetterQueueName: queues.deadLetterQueue.name,
    dashboardUrl: observability.dashboardUrl,
    eventBusName: events.bus.name,
    scheduleGroupName: scheduler.group.name,
  };
}
