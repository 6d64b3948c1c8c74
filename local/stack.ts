import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { loadProfile } from "../app/config/load-profile.ts";
import { createCoordinatorHandler } from "../app/handlers/coordinator.ts";
import { createDeadLetterHandler } from "../app/handlers/dead-letter.ts";
import { createProcessorHandler } from "../app/handlers/processor.ts";
import type { Log, MetricsSink } from "../app/pipeline/context.ts";
import { createPipelineRuntime, type PipelineRuntime, type RuntimeOverrides } from "../app/runtime/pipeline-runtime.ts";
import { ENV, QUEUE, RULES, resourceNames } from "../app/wiring.ts";
import { createTable, startDynalite } from "./aws/dynamodb.ts";
import { localAwsEnv, localClientConfig } from "./aws/env.ts";
import { EventSourcePoller } from "./aws/event-source-poller.ts";
import { type EventBridgeShim, startEventBridgeShim } from "./aws/eventbridge-shim.ts";
import type { LocalFunction, LocalFunctions } from "./aws/functions.ts";
import { localFunctionArn } from "./aws/functions.ts";
import type { LoopbackServer } from "./aws/http-server.ts";
import { asLocalFunction } from "./aws/lambda-context.ts";
import { type LambdaShim, startLambdaShim } from "./aws/lambda-shim.ts";
import { type SchedulerShim, startSchedulerShim } from "./aws/scheduler-shim.ts";
import { createWorkQueues, startFauxqs, type WorkQueues } from "./aws/sqs.ts";
import { type BundledFunctions, startBundledFunctions } from "./bundled-functions.ts";
import { LocalClock } from "./clock.ts";
import { CountingMetrics } from "./counting-metrics.ts";
import { createSyntheticMarket } from "./market/synthetic-market.ts";
import type { MarketData } from "./market/types.ts";
import { createLocalSchedules } from "./schedules.ts";
import type { FakeSlack } from "./slack/fake-slack.ts";
import {
  type LocalSlack,
  type LocalSlackApp,
  type LocalSlackOptions,
  startLocalSlackApi,
  startLocalSlackFunctions,
} from "./slack/local-slack.ts";
import { startTwelveDataEmulator, type TwelveDataEmulator } from "./twelvedata/emulator.ts";
import type { LatencyProfile } from "./twelvedata/latency.ts";

export interface LocalStackOptions {
  /** Names resources as `dq-<stack>-…`. @default "local" */
  stack?: string;
  /** The plan. @default 8 per 60 s, 800 per day */
  creditsPerMinute?: number;
  creditsPerDay?: number | null;
  creditWindowSeconds?: number;
  batchSize?: number;
  /** Another provider (then with apiKey); by default the built-in Twelve Data emulator on the synthetic market. */
  providerUrl?: string;
  apiKey?: string;
  /** The emulator's reading of "per minute". @default "rolling" (strict) */
  windowMode?: "rolling" | "calendar";
  /** The emulator answers after the provider's latency (local/twelvedata/latency.ts), scaled to the window. @default instant */
  providerLatency?: LatencyProfile;
  market?: MarketData;
  /** Default datalake template of sessions that name none. */
  datalake?: string;
  lookbackDays?: number;
  /** Processor invocations at once (the mapping's maximum concurrency). @default 5 */
  processorConcurrency?: number;
  /** Seconds a received message stays hidden; scaled down with the credit window. @default the queue's */
  visibilityTimeoutSeconds?: number;
  /** The notifier function (EventBridge rules' target). @default records only */
  notifier?: LocalFunction;
  /** Extra functions (e.g. slack) for the Lambda shim. */
  functions?: LocalFunctions;
  log?: Log;
  metrics?: MetricsSink;
  clock?: LocalClock;
  /**
   * Create the daily schedule, and the weekly deep check's when the profile has one, as infra does (their crons
   * then fire on the stack's clock). @default true
   */
  dailySchedule?: boolean;
  /**
   * Serve the Slack app and route notifications to a fake Slack Web API (printing with onMessage), or, with a bot
   * token or API URL, to that Slack; with an app-level token, connect over Socket Mode too.
   */
  slack?: LocalSlackOptions;
  /** Middleware on every SDK client of the pipeline (request counting, injected throttling). */
  instrumentClient?: RuntimeOverrides["instrumentClient"];
  /** Faults and counters: wraps the processor handler (tests inject crashes here). */
  wrapProcessor?: (handler: LocalFunction) => LocalFunction;
  /** Pipeline settings over the defaults (e.g. a lease shorter than the scaled visibility timeout). */
  settings?: RuntimeOverrides["settings"];
  /** A reference provider instead of the Twelve Data client built from the environment (e.g. a short timeout). */
  provider?: RuntimeOverrides["provider"];
  /**
   * Run the deployed bundles instead of the TypeScript handlers: a directory laid out as infra writes them
   * (`<dir>/<function>/index.mjs`, see writeBundles), whose coordinator, processor, dead-letter and (with Slack)
   * notifier each run in a Node process of their own. The Slack app stays the TypeScript one.
   */
  bundles?: string;
  /**
   * Keep each finished session's report page in a bucket of the stack's S3 (fauxqs), as the notifier does on AWS:
   * the page, its link and the worst failures' charts in the summary's thread. @default false
   */
  reportsBucket?: boolean;
}

export interface LocalStack {
  clock: LocalClock;
  env: Record<string, string>;
  endpoints: Record<string, string>;
  names: ReturnType<typeof resourceNames>;
  queues: WorkQueues;
  runtime: PipelineRuntime;
  emulator?: TwelveDataEmulator;
  eventBridge: EventBridgeShim;
  scheduler: SchedulerShim;
  lambda: LambdaShim;
  processorPoller: EventSourcePoller;
  deadLetterPoller: EventSourcePoller;
  functions: LocalFunctions;
  /** The Slack app on the fake Slack (unset when the app talks to another Slack: see slackApp). */
  slack?: LocalSlack & { fakeSlack: FakeSlack };
  /** The Slack app, whatever Slack it talks to. */
  slackApp?: LocalSlackApp;
  /** The bundled functions, when the stack runs them (the `bundles` option). */
  bundles?: BundledFunctions;
  stop(): Promise<void>;
}

/** The local stack's reports bucket (on AWS, infra/reports.ts names it with a unique suffix). */
function reportsBucketName(stack: string): string {
  return `dq-${stack}-reports`;
}

/**
 * The whole system on one machine: dynalite, fauxqs, the Twelve Data emulator, and the shims, with the real
 * handlers and adapters. Endpoints reach the SDK through the standard AWS_ENDPOINT_URL_* variables, set on
 * process.env, so one stack runs per process.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stack = options.stack ?? "local";
  const names = resourceNames(stack);
  const clock = options.clock ?? new LocalClock();
  const windowSeconds = options.creditWindowSeconds ?? 60;
  const creditsPerMinute = options.creditsPerMinute ?? 8;
  const creditsPerDay = options.creditsPerDay === undefined ? 800 : options.creditsPerDay;
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => {});
  };
  try {
    const dynamo = await startDynalite();
    stoppers.push(() => dynamo.stop());
    const fauxqs: LoopbackServer = await startFauxqs();
    stoppers.push(() => fauxqs.stop());
    let emulator: TwelveDataEmulator | undefined;
    let providerUrl = options.providerUrl;
    if (!providerUrl) {
      emulator = await startTwelveDataEmulator({
        market: options.market ?? createSyntheticMarket(),
        creditsPerMinute,
        creditsPerDay,
        windowSeconds,
        windowMode: options.windowMode ?? "rolling",
        clock: clock.now,
        ...(options.providerLatency ? { latency: options.providerLatency } : {}),
      });
      stoppers.push(() => emulator?.close() ?? Promise.resolve());
      providerUrl = emulator.url;
    }

    const sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
    const queues = await createWorkQueues(sqs, { queue: names.queue, deadLetterQueue: names.deadLetterQueue });
    await createTable(new DynamoDBClient(localClientConfig(dynamo.endpoint)), names.table);

    const functions: LocalFunctions = { ...options.functions };
    const getRuntime = () => runtimePromise;
    const eventBridge = await startEventBridgeShim({
      functions,
      rules: RULES,
      eventBusName: names.eventBus,
      clock: clock.now,
    });
    stoppers.push(() => eventBridge.stop());
    const scheduler = await startSchedulerShim({
      functions,
      sqs,
      stack,
      clock: clock.now,
      queueUrls: { [queues.queueArn]: queues.queueUrl },
    });
    stoppers.push(() => scheduler.stop());
    const lambda = await startLambdaShim({ functions, stack });
    stoppers.push(() => lambda.stop());

    const endpoints = {
      dynamodb: dynamo.endpoint,
      sqs: fauxqs.endpoint,
      s3: fauxqs.endpoint,
      eventbridge: eventBridge.endpoint,
      scheduler: scheduler.endpoint,
      lambda: lambda.endpoint,
      twelvedata: providerUrl,
    };
    const env: Record<string, string> = {
      ...localAwsEnv(endpoints),
      [ENV.stack]: stack,
      [ENV.tableName]: names.table,
      [ENV.queueUrl]: queues.queueUrl,
      [ENV.queueArn]: queues.queueArn,
      [ENV.eventBusName]: names.eventBus,
      [ENV.scheduleGroup]: names.scheduleGroup,
      [ENV.schedulerRoleArn]: `arn:aws:iam::000000000000:role/${names.scheduleGroup}`,
      [ENV.coordinatorArn]: localFunctionArn("coordinator", stack),
      // The Slack function hands each request's work to an asynchronous invocation of itself, as on AWS.
      [ENV.slackFunctionName]: localFunctionArn("slack", stack),
      [ENV.dailyScheduleName]: names.dailySchedule,
      [ENV.twelveDataBaseUrl]: providerUrl,
      [ENV.twelveDataApiKey]: options.apiKey ?? "demo",
      [ENV.creditsPerMinute]: String(creditsPerMinute),
      [ENV.creditsPerDay]: creditsPerDay === null ? "none" : String(creditsPerDay),
      [ENV.creditWindowSeconds]: String(windowSeconds),
      ...(options.batchSize ? { [ENV.batchSize]: String(options.batchSize) } : {}),
      ...(options.datalake ? { [ENV.datalake]: options.datalake } : {}),
      ...(options.lookbackDays ? { [ENV.lookbackDays]: String(options.lookbackDays) } : {}),
      ...(options.reportsBucket ? { [ENV.reportsBucket]: reportsBucketName(stack) } : {}),
    };
    if (options.reportsBucket) {
      const s3 = new S3Client({ ...localClientConfig(fauxqs.endpoint), forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: reportsBucketName(stack) }));
    }
    let slackApi: Awaited<ReturnType<typeof startLocalSlackApi>> | undefined;
    if (options.slack) {
      slackApi = await startLocalSlackApi(options.slack);
      const fake = slackApi.fakeSlack;
      if (fake) stoppers.push(() => fake.stop());
      Object.assign(env, slackApi.env);
    }
    Object.assign(process.env, env);

    const runtimePromise = createPipelineRuntime({
      env: process.env,
      clock: clock.now,
      log: options.log,
      metrics: options.metrics ?? new CountingMetrics(),
      instrumentClient: options.instrumentClient,
      settings: {
        ...options.settings,
      },
      provider: options.provider,
    });
    const runtime = await runtimePromise;
    if (options.dailySchedule ?? true) {
      // The profile the runtime read too (DQ_PROFILE, DQ_PROFILE_FILE or dq.config.yaml in the working directory).
      const { profile } = loadProfile(process.env);
      await createLocalSchedules({ names, stack, endpoint: scheduler.endpoint, profile });
    }

    const processor = asLocalFunction("processor", createProcessorHandler(getRuntime));
    functions.coordinator = asLocalFunction("coordinator", createCoordinatorHandler(getRuntime));
    functions.processor = options.wrapProcessor ? options.wrapProcessor(processor) : processor;
    functions.deadLetter = asLocalFunction("deadLetter", createDeadLetterHandler(getRuntime));
    functions.notifier = options.notifier ?? (async () => undefined);
    let slack: LocalStack["slack"];
    let slackApp: LocalStack["slackApp"];
    if (slackApi) {
      const local = await startLocalSlackFunctions(process.env, runtime, runtime.ctx.log, {
        appToken: options.slack?.appToken,
        clock: clock.now,
      });
      stoppers.push(() => local.stop());
      functions.slack = local.slack;
      if (!options.notifier) functions.notifier = local.notifier;
      const { fakeSlack, env: slackEnv } = slackApi;
      slackApp = { ...local, fakeSlack, env: slackEnv, apiUrl: slackEnv[ENV.slackApiUrl] ?? "" };
      if (fakeSlack) slack = { ...local, fakeSlack, env: slackEnv };
    }

    let bundles: BundledFunctions | undefined;
    if (options.bundles) {
      const built = await startBundledFunctions({
        dir: options.bundles,
        env: { ...process.env },
        stack,
        functions: ["coordinator", "processor", "deadLetter", ...(slackApi ? (["notifier"] as const) : [])],
      });
      stoppers.push(() => built.stop());
      const { processor: bundledProcessor, ...others } = built.functions;
      Object.assign(functions, others);
      if (bundledProcessor) {
        functions.processor = options.wrapProcessor ? options.wrapProcessor(bundledProcessor) : bundledProcessor;
      }
      bundles = built;
    }

    const visibility = options.visibilityTimeoutSeconds ?? QUEUE.visibilityTimeoutSeconds;
    const processorPoller = new EventSourcePoller({
      client: sqs,
      queueUrl: queues.queueUrl,
      queueArn: queues.queueArn,
      handler: (event) => (functions.processor as LocalFunction)(event),
      functionName: "processor",
      maxConcurrency: options.processorConcurrency ?? 5,
      visibilityTimeoutSeconds: visibility,
      stack,
    }).start();
    stoppers.push(() => processorPoller.stop());
    const deadLetterPoller = new EventSourcePoller({
      client: sqs,
      queueUrl: queues.deadLetterQueueUrl,
      queueArn: queues.deadLetterQueueArn,
      handler: (event) => (functions.deadLetter as LocalFunction)(event),
      functionName: "deadLetter",
      maxConcurrency: 2,
      visibilityTimeoutSeconds: visibility,
      stack,
    }).start();
    stoppers.push(() => deadLetterPoller.stop());

    return {
      clock,
      env,
      endpoints,
      names,
      queues,
      runtime,
      emulator,
      eventBridge,
      scheduler,
      lambda,
      processorPoller,
      deadLetterPoller,
      functions,
      slack,
      slackApp,
      bundles,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
