import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoSessionStore } from "../app/adapters/dynamodb/session-store.ts";
import { TwelveDataClient } from "../app/adapters/twelvedata/client.ts";
import type { ReferenceProvider } from "../app/domain/ports.ts";
import type { Log } from "../app/pipeline/context.ts";
import type { SessionRecord } from "../app/pipeline/model.ts";
import type { StartResult } from "../app/pipeline/start-session.ts";
import { QUEUE } from "../app/wiring.ts";
import { localClientConfig } from "../local/aws/env.ts";
import { LocalClock } from "../local/clock.ts";
import { type LocalStack, startLocalStack } from "../local/stack.ts";
import type { TwelveDataEmulator, TwelveDataEmulatorCounts } from "../local/twelvedata/emulator.ts";
import type { LatencyProfile } from "../local/twelvedata/latency.ts";
import { AwsMeter, type AwsUsage } from "./aws-meter.ts";
import { LambdaMeter, type TimedInvocation } from "./lambda-meter.ts";
import type { BenchUniverse } from "./universe.ts";
import { WarmContainers } from "./warm-containers.ts";

/** The provider plan and the pipeline's sizing for one scenario, at scaled time. */
export interface PlanShape {
  creditsPerWindow: number;
  /** The scaled credit window (the provider's minute). */
  windowSeconds: number;
  batchSize: number;
  processorConcurrency: number;
  /** @default null (no daily cap) */
  creditsPerDay?: number | null;
  /** The emulator answers after the provider's latency, scaled to the window; dq and the chained design alike. */
  providerLatency?: LatencyProfile;
}

/** What one phase of a run (dq's sessions, or the chained design's) cost, counted at the emulators and shims. */
export interface PhaseUsage {
  provider: TwelveDataEmulatorCounts;
  aws: AwsUsage;
  invocations: TimedInvocation[];
  /** The work queue's and the DLQ's event source mappings: ReceiveMessage and DeleteMessageBatch requests. */
  sqsReceives: number;
  sqsEmptyReceives: number;
  sqsDeletes: number;
  schedulerInvocations: number;
  warnings: number;
  errors: number;
}

export interface StartedSession extends StartResult {
  /** Stack-clock time just before the coordinator was invoked. */
  startedAt: number;
  coordinatorMs: number;
}

export interface BenchStack {
  stack: LocalStack;
  emulator: TwelveDataEmulator;
  universe: BenchUniverse;
  shape: PlanShape;
  aws: AwsMeter;
  lambdas: LambdaMeter;
  /** The processor's execution environments, each with its own provider client. */
  processorContainers: WarmContainers<ReferenceProvider>;
  /** Reads the table for the bench's own polling, outside the metered clients. */
  observer: DynamoSessionStore;
  /** How many work messages came to each outcome so far (processor log), e.g. done, requeued_slot_expired. */
  outcomes: ReadonlyMap<string, number>;
  /** Starts a session through the coordinator function, as every starter does, and times it. */
  startSession(symbols: readonly string[]): Promise<StartedSession>;
  waitForFinal(sessionId: string, timeoutMs?: number): Promise<SessionRecord>;
  /** Starts counting a new phase: every counter from here on belongs to it. */
  beginPhase(): void;
  endPhase(): PhaseUsage;
  /** Extra SQS receive counts of pollers the bench runs itself (the chained design's). */
  addReceives(receives: { receives: number; emptyReceives: number; deleteRequests: number }): void;
  stop(): Promise<void>;
}

/** How far ahead the pump reserves, in windows: SQS's 900 s delay horizon is 15 real one-minute windows. */
export const HORIZON_WINDOWS = QUEUE.delayHorizonSeconds / 60;

/**
 * The local stack for a benchmark: the Twelve Data emulator in strict (rolling) mode at a scaled window, the real
 * Slack notifier on a fake Slack, every SDK client counted, every function timed.
 */
export async function startBenchStack(universe: BenchUniverse, shape: PlanShape): Promise<BenchStack> {
  const aws = new AwsMeter();
  const clock = new LocalClock(universe.asOf.getTime());
  const lambdas = new LambdaMeter(clock.now);
  let createProvider: () => ReferenceProvider = () => {
    throw new Error("the processor ran before the stack was up");
  };
  const processorContainers = new WarmContainers<ReferenceProvider>(() => createProvider());
  const logCounts = { warnings: 0, errors: 0 };
  /** What the work messages came to (the processor's "work message handled" lines), for the progress line. */
  const outcomes = new Map<string, number>();
  const log: Log = {
    debug: () => {},
    info: (message, extra) => {
      const outcome = (extra as { outcome?: unknown } | undefined)?.outcome;
      if (message !== "work message handled" || outcome === undefined) return;
      const kind = typeof outcome === "string" ? outcome : String((outcome as { kind?: unknown }).kind);
      outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
    },
    warn: () => void logCounts.warnings++,
    error: () => void logCounts.errors++,
  };
  const stack = await startLocalStack({
    stack: "bench",
    market: universe.market,
    clock,
    creditsPerMinute: shape.creditsPerWindow,
    creditWindowSeconds: shape.windowSeconds,
    creditsPerDay: shape.creditsPerDay ?? null,
    batchSize: shape.batchSize,
    windowMode: "rolling",
    ...(shape.providerLatency ? { providerLatency: shape.providerLatency } : {}),
    datalake: universe.sample.uriTemplate,
    lookbackDays: 10,
    processorConcurrency: shape.processorConcurrency,
    visibilityTimeoutSeconds: Math.max(4, 3 * shape.windowSeconds),
    slack: {},
    dailySchedule: false,
    log,
    instrumentClient: aws.instrument,
    wrapProcessor: (handler) => lambdas.wrap("processor", processorContainers.wrap(handler)),
  });
  const emulator = stack.emulator;
  if (!emulator) throw new Error("the bench stack has no Twelve Data emulator");
  // The pump reserves as far ahead as SQS can delay a message; at scaled time that is 15 scaled windows, not 900 s.
  stack.runtime.ctx.settings.horizonMs = HORIZON_WINDOWS * shape.windowSeconds * 1000;
  // One Twelve Data client per processor container (its credit pacer is module state on AWS), not one for all.
  const shared = stack.runtime.ctx.provider;
  createProvider = () =>
    TwelveDataClient.fromConfig(
      { ...stack.runtime.config.provider, apiKey: "demo", maxAttempts: 1 },
      { clock: clock.now },
    );
  stack.runtime.ctx.provider = {
    dailyBars: (...request) => (processorContainers.current() ?? shared).dailyBars(...request),
  };
  const observer = new DynamoSessionStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(stack.endpoints.dynamodb ?? ""))),
    tableName: stack.names.table,
    clock: clock.now,
  });
  for (const name of ["coordinator", "deadLetter", "notifier"] as const) {
    const fn = stack.functions[name];
    if (fn) stack.functions[name] = lambdas.wrap(name, fn);
  }
  const coordinator = stack.functions.coordinator;
  if (!coordinator) throw new Error("the bench stack has no coordinator");

  const pollers = [stack.processorPoller, stack.deadLetterPoller];
  const sqsTotals = () => {
    const s = pollers.map((p) => p.stats());
    return {
      receives: s.reduce((n, x) => n + x.receives, 0),
      emptyReceives: s.reduce((n, x) => n + x.emptyReceives, 0),
      deleteRequests: s.reduce((n, x) => n + x.deleteRequests, 0),
    };
  };
  let base = { sqs: sqsTotals(), fired: 0, warnings: 0, errors: 0 };
  let extra = { receives: 0, emptyReceives: 0, deleteRequests: 0 };

  return {
    outcomes,
    stack,
    emulator,
    universe,
    shape,
    aws,
    lambdas,
    processorContainers,
    observer,
    async startSession(symbols) {
      const startedAt = clock.now();
      const result = (await coordinator({
        symbols,
        asOf: universe.asOf.toISOString(),
        lookbackDays: 10,
        startedBy: { kind: "cli" },
      })) as StartResult | { status: "rejected"; error: string };
      const coordinatorMs = clock.now() - startedAt;
      if (result.status === "rejected") throw new Error(`the coordinator rejected the session: ${result.error}`);
      return { ...result, startedAt, coordinatorMs };
    },
    async waitForFinal(sessionId, timeoutMs = 600_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const session = await observer.getSession(sessionId);
        if (session && session.status !== "running" && session.finalEventAt) {
          await stack.eventBridge.idle();
          return session;
        }
        if (Date.now() > deadline)
          throw new Error(`session ${sessionId} still ${session?.status} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    beginPhase() {
      emulator.resetCounts();
      aws.reset();
      lambdas.reset();
      base = { sqs: sqsTotals(), fired: stack.scheduler.fired().length, ...logCounts };
      extra = { receives: 0, emptyReceives: 0, deleteRequests: 0 };
    },
    endPhase() {
      const now = sqsTotals();
      return {
        provider: emulator.counts(),
        aws: aws.usage(),
        invocations: lambdas.invocations(),
        sqsReceives: now.receives - base.sqs.receives + extra.receives,
        sqsEmptyReceives: now.emptyReceives - base.sqs.emptyReceives + extra.emptyReceives,
        sqsDeletes: now.deleteRequests - base.sqs.deleteRequests + extra.deleteRequests,
        schedulerInvocations: stack.scheduler.fired().length - base.fired,
        warnings: logCounts.warnings - base.warnings,
        errors: logCounts.errors - base.errors,
      };
    },
    addReceives(receives) {
      extra = {
        receives: extra.receives + receives.receives,
        emptyReceives: extra.emptyReceives + receives.emptyReceives,
        deleteRequests: extra.deleteRequests + receives.deleteRequests,
      };
    },
    stop: () => stack.stop(),
  };
}
