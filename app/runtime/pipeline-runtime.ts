import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDatalake } from "../adapters/datalake/create-datalake.ts";
import { DynamoCoverageStore } from "../adapters/dynamodb/coverage-store.ts";
import { DynamoCreditLedger } from "../adapters/dynamodb/credit-ledger.ts";
import { DynamoSessionStore } from "../adapters/dynamodb/session-store.ts";
import { EventBridgePublisher } from "../adapters/eventbridge/publisher.ts";
import { SchedulerResume } from "../adapters/scheduler/resume-scheduler.ts";
import { SqsWorkQueue } from "../adapters/sqs/work-queue.ts";
import { TwelveDataClient } from "../adapters/twelvedata/client.ts";
import { ConfigError, isLoopbackUrl } from "../config/config.ts";
import { profileSettings } from "../config/profile-settings.ts";
import { type RuntimeConfig, runtimeConfigFromEnv } from "../config/runtime-config.ts";
import { type Clock, systemClock } from "../domain/clock.ts";
import type { Datalake, ReferenceProvider } from "../domain/ports.ts";
import {
  defaultSettings,
  deployedTimings,
  type Log,
  type MetricsSink,
  type PipelineContext,
} from "../pipeline/context.ts";
import { Operations } from "../pipeline/operations.ts";
import { accountOf } from "../pipeline/planning.ts";
import { loopbackEnvironment } from "../pipeline/spend-margins.ts";
import { ENV } from "../wiring.ts";
import { perContainer } from "./per-container.ts";
import { resolveProfile } from "./profile.ts";
import { resolveSecret } from "./secrets.ts";
import { asLog, createLogger, EmfMetrics } from "./telemetry.ts";
import { readUniverse } from "./universe.ts";

export interface PipelineRuntime {
  ctx: PipelineContext;
  operations: Operations;
  config: RuntimeConfig;
  /** Publishes the invocation's metrics (EMF); call at the end of each invocation. */
  flush(): void;
}

/** What the local stack and tests may replace; everything else comes from the environment. */
export interface RuntimeOverrides {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  log?: Log;
  metrics?: MetricsSink & { flush?(): void };
  /** For an S3 emulator that needs path-style addressing. */
  s3?: S3Client;
  provider?: ReferenceProvider;
  settings?: Partial<PipelineContext["settings"]>;
  /** A command that only reads sessions needs no provider key. */
  apiKey?: string;
  /**
   * Called with every AWS SDK client the runtime creates, before first use: the local stack and benchmarks add
   * middleware here (request counting, injected throttling). Nothing on AWS uses it.
   */
  instrumentClient?: (client: AwsClient) => void;
}

/** The part of an AWS SDK v3 client that instrumentation needs. */
export interface AwsClient {
  middlewareStack: DynamoDBClient["middlewareStack"];
  config: { serviceId?: string };
}

/** The composition root of the pipeline functions: one typed config, the adapters, the context. */
export async function createPipelineRuntime(overrides: RuntimeOverrides = {}): Promise<PipelineRuntime> {
  const env = overrides.env ?? process.env;
  const config = runtimeConfigFromEnv(env);
  const instrument = <T extends object>(client: T): T => {
    overrides.instrumentClient?.(client as unknown as AwsClient);
    return client;
  };
  let ssm: SSMClient | undefined;
  const ssmClient = () => {
    ssm ??= instrument(new SSMClient({}));
    return ssm;
  };
  // The datalake profile: DQ_PROFILE (or, when it is too large for the environment, the SSM parameter
  // DQ_PROFILE_PARAMETER names) on AWS; dq.config.yaml in the working directory on the local stack.
  const { profile } = await resolveProfile(env, ssmClient);
  const fromProfile = profileSettings(profile);
  const clock = overrides.clock ?? systemClock;
  const apiKey =
    overrides.apiKey ??
    (await resolveSecret(env, ENV.twelveDataApiKey, ENV.twelveDataApiKeyParameter, {
      // A function given the ledger's account but no key never calls the provider (infra gives the key only to the
      // processor).
      required: !isLoopbackUrl(config.provider.baseUrl) && config.ledgerAccount === "",
    }));
  const provider = { ...config.provider, apiKey };
  const settings = defaultSettings({
    checkOptions: fromProfile.checkOptions,
    windowMs: provider.creditWindowSeconds * 1000,
    creditsPerWindow: provider.creditsPerMinute,
    creditsPerDay: provider.creditsPerDay,
    batchSize: provider.batchSize,
    // The lease, visibility and sweep of the processor timeout infra deployed the queue with (the local stack,
    // at scaled time, sets its own lease, and the rest follows from it).
    ...(overrides.settings?.leaseMs === undefined ? deployedTimings(config.processorTimeoutSeconds) : {}),
    // On AWS, Lambda's clocks and the way to the provider (the default); a provider on loopback is the local stack.
    ...(isLoopbackUrl(provider.baseUrl)
      ? { spendEnvironment: loopbackEnvironment(provider.creditWindowSeconds * 1000) }
      : {}),
    ...overrides.settings,
  });
  const doc = DynamoDBDocumentClient.from(instrument(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const emf = overrides.metrics ? undefined : new EmfMetrics();
  const metrics = overrides.metrics ?? (emf as EmfMetrics);
  const s3 = overrides.s3 ?? instrument(new S3Client({}));
  const datalakes = new Map<string, Datalake>();
  const ctx: PipelineContext = {
    store: new DynamoSessionStore({ client: doc, tableName: config.tableName, ttlDays: config.retentionDays, clock }),
    ledger: new DynamoCreditLedger({
      client: doc,
      // Another stack's table when this stack shares that stack's provider key (and so its ledger).
      tableName: config.ledgerTable || config.tableName,
      account: config.ledgerAccount || accountOf(apiKey || "demo"),
      creditsPerSlot: provider.creditsPerMinute,
      creditsPerDay: provider.creditsPerDay,
      windowMs: settings.windowMs,
      marginMs: settings.marginMs,
    }),
    coverage: new DynamoCoverageStore({ client: doc, tableName: config.tableName }),
    queue: new SqsWorkQueue({ client: instrument(new SQSClient({})), queueUrl: config.queueUrl }),
    events: new EventBridgePublisher({
      client: instrument(new EventBridgeClient({})),
      eventBusName: config.eventBusName,
    }),
    resume: new SchedulerResume({
      client: instrument(new SchedulerClient({})),
      groupName: config.scheduleGroup,
      queueArn: config.queueArn,
      roleArn: config.schedulerRoleArn,
      deadLetterArn: config.resumeDeadLetterArn,
    }),
    // One attempt per request: every request the provider sees has passed the spend gate; a failure re-queues.
    provider:
      overrides.provider ??
      (apiKey === "" && config.ledgerAccount !== ""
        ? withoutProviderKey
        : TwelveDataClient.fromConfig(
            { ...provider, maxAttempts: 1 },
            // The spend gate spaces every request; a window a full plan fills exactly is no reason to pause.
            { clock, adjust: fromProfile.provider.adjust, pauseWhenSpent: false },
          )),
    datalakeFor(uriTemplate) {
      let datalake = datalakes.get(uriTemplate);
      if (!datalake) {
        datalake = createDatalake({ uriTemplate, s3, ...fromProfile.datalake });
        datalakes.set(uriTemplate, datalake);
      }
      return datalake;
    },
    clock,
    sleep: overrides.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    log: overrides.log ?? asLog(createLogger()),
    metrics,
    settings,
  };
  // On AWS the explicit universe lives in SSM (it may be far larger than an environment holds); locally, in variables.
  const universe = config.universeParameterPath
    ? await readUniverse(ssmClient(), config.universeParameterPath)
    : { symbols: config.symbols, deny: config.denySymbols };
  const operations = new Operations(ctx, {
    datalake: config.datalake || (profile.datalake.uri ?? ""),
    lookbackDays: config.lookbackDays,
    denySymbols: universe.deny,
    symbols: universe.symbols,
    coverage: config.coverage,
  });
  return { ctx, operations, config, flush: () => metrics.flush?.() };
}

/** The provider of a function deployed without the key (only the processor has it): calling it is a wiring bug. */
const withoutProviderKey: ReferenceProvider = {
  dailyBars: () =>
    Promise.reject(new ConfigError(`this function has no provider key (${ENV.twelveDataApiKeyParameter} is not set)`)),
};

/** One runtime per cold start, built on first use (never at module load, so importing a handler is free). */
export const getPipelineRuntime: () => Promise<PipelineRuntime> = perContainer(() => createPipelineRuntime());
