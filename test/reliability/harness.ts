import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TwelveDataClient } from "../../app/adapters/twelvedata/client.ts";
import type { CoordinatorResult } from "../../app/handlers/coordinator.ts";
import type { Log } from "../../app/pipeline/context.ts";
import type { SessionRecord } from "../../app/pipeline/model.ts";
import type { StartInput, StartResult } from "../../app/pipeline/start-session.ts";
import { LocalClock } from "../../local/clock.ts";
import { CountingMetrics } from "../../local/counting-metrics.ts";
import { createSyntheticMarket } from "../../local/market/synthetic-market.ts";
import type { MarketData } from "../../local/market/types.ts";
import { generateSampleDatalake, type SampleDatalake } from "../../local/sample-datalake/index.ts";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../local/stack.ts";
import { startTwelveDataEmulator, type TwelveDataEmulator } from "../../local/twelvedata/emulator.ts";
import {
  DynamoFaults,
  FaultCounter,
  ProcessorFaults,
  type ProviderProxy,
  startProviderProxy,
} from "../helpers/fault-injectors.ts";
import { testStartInstant } from "../helpers/pinned-clock.ts";

/** A key nobody would type by accident, so a scan for it finds only leaks. */
export const API_KEY = "td-rel-7Qx9VbN2kLmZp4Ws8Ht3Yc6Rj1";
export const CREDITS_PER_WINDOW = 8;
export const WINDOW_SECONDS = 1;

export interface LogEntry {
  level: string;
  message: string;
  extra?: Record<string, unknown>;
}

export interface ReliabilityOptions {
  /** The emulator's reading of the window. Calendar lets an over-spend through, so the rolling maximum shows it. */
  windowMode?: "rolling" | "calendar";
  /** @default 3000: shorter than the visibility timeout, longer than any batch takes here */
  leaseMs?: number;
  /** @default 4 */
  visibilityTimeoutSeconds?: number;
  /** The provider client's per-request timeout. @default 800 */
  providerTimeoutMs?: number;
  batchSize?: number;
  /** How far ahead the pump reserves. @default the pipeline's (15 minutes) */
  horizonMs?: number;
  slack?: boolean;
  market?: MarketData;
}

export interface Reliability {
  stack: LocalStack;
  clock: LocalClock;
  market: MarketData;
  sample: SampleDatalake;
  /** The datalake's directory, for tests that plant files. */
  dir: string;
  asOf: Date;
  emulator: TwelveDataEmulator;
  proxy: ProviderProxy;
  logs: LogEntry[];
  metrics: CountingMetrics;
  faults: FaultCounter;
  dynamo: DynamoFaults;
  processor: ProcessorFaults;
  options: Required<Pick<ReliabilityOptions, "leaseMs" | "visibilityTimeoutSeconds" | "providerTimeoutMs">>;
  /** Through the coordinator function, as every starter does; a rejection is returned, not thrown. */
  start(input: Partial<StartInput> & Record<string, unknown>): Promise<CoordinatorResult>;
  /** As start, but a rejection throws. */
  startOk(input: Partial<StartInput>): Promise<StartResult>;
  waitForFinal(sessionId: string, timeoutMs?: number): Promise<SessionRecord>;
  /** A pipeline log that records everything, for a second runtime (a skewed worker). */
  log: Log;
  stop(): Promise<void>;
}

/**
 * The local stack at scaled time (8 credits per 1 s window), with its own Twelve Data emulator behind a recording
 * proxy and a distinctive API key, every fault hook installed (idle until armed), and every log line kept.
 */
export async function startReliabilityStack(options: ReliabilityOptions = {}): Promise<Reliability> {
  const market = options.market ?? createSyntheticMarket();
  const clock = new LocalClock(testStartInstant());
  const asOf = new Date(clock.now());
  const dir = mkdtempSync(join(tmpdir(), "dq-reliability-"));
  const sample = await generateSampleDatalake({ dir, market, asOf });
  const logs: LogEntry[] = [];
  const log: Log = {
    debug: (message, extra) => logs.push({ level: "debug", message, extra }),
    info: (message, extra) => logs.push({ level: "info", message, extra }),
    warn: (message, extra) => logs.push({ level: "warn", message, extra }),
    error: (message, extra) => logs.push({ level: "error", message, extra }),
  };
  const faults = new FaultCounter();
  const dynamo = new DynamoFaults(faults);
  const processor = new ProcessorFaults(faults);
  const metrics = new CountingMetrics();
  const resolved = {
    leaseMs: options.leaseMs ?? 3_000,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 4,
    providerTimeoutMs: options.providerTimeoutMs ?? 800,
  };
  const emulator = await startTwelveDataEmulator({
    market,
    apiKeys: [API_KEY],
    creditsPerMinute: CREDITS_PER_WINDOW,
    creditsPerDay: null,
    windowSeconds: WINDOW_SECONDS,
    windowMode: options.windowMode ?? "rolling",
    clock: clock.now,
  });
  const proxy = await startProviderProxy(emulator.url, faults);
  // As the runtime builds it (one attempt: a failure re-queues the batch), with a timeout scaled to the window.
  const provider = new TwelveDataClient({
    baseUrl: proxy.url,
    apiKey: API_KEY,
    creditsPerWindow: CREDITS_PER_WINDOW,
    windowSeconds: WINDOW_SECONDS,
    timeoutMs: resolved.providerTimeoutMs,
    maxAttempts: 1,
    clock: clock.now,
  });
  const stackOptions: LocalStackOptions = {
    market,
    clock,
    providerUrl: proxy.url,
    apiKey: API_KEY,
    creditsPerMinute: CREDITS_PER_WINDOW,
    creditWindowSeconds: WINDOW_SECONDS,
    creditsPerDay: null,
    datalake: sample.uriTemplate,
    visibilityTimeoutSeconds: resolved.visibilityTimeoutSeconds,
    processorConcurrency: 4,
    log,
    metrics,
    dailySchedule: false,
    instrumentClient: dynamo.instrument,
    wrapProcessor: processor.wrap,
    settings: { leaseMs: resolved.leaseMs, ...(options.horizonMs ? { horizonMs: options.horizonMs } : {}) },
    provider,
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.slack ? { slack: {} } : {}),
  };
  let stack: LocalStack;
  try {
    stack = await startLocalStack(stackOptions);
  } catch (error) {
    await proxy.stop();
    await emulator.close();
    throw error;
  }
  const coordinator = stack.functions.coordinator;
  if (!coordinator) throw new Error("the local stack has no coordinator");
  const start = (input: Partial<StartInput> & Record<string, unknown>) =>
    coordinator({
      datalake: sample.uriTemplate,
      asOf: asOf.toISOString(),
      lookbackDays: 10,
      ...input,
    }) as Promise<CoordinatorResult>;
  return {
    stack,
    clock,
    market,
    sample,
    dir,
    asOf,
    emulator,
    proxy,
    logs,
    metrics,
    faults,
    dynamo,
    processor,
    options: resolved,
    log,
    start,
    async startOk(input) {
      const result = await start(input);
      if (result.status === "rejected") throw new Error(result.error);
      return result;
    },
    async waitForFinal(sessionId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const session = await stack.runtime.ctx.store.getSession(sessionId);
        // The claim (finalEventAt) comes before the publish: wait for the event itself.
        if (session && session.status !== "running" && session.finalEventAt && hasFinalEvent(stack, sessionId)) {
          await stack.eventBridge.idle();
          return session;
        }
        if (Date.now() > deadline)
          throw new Error(
            `session ${sessionId} ${session?.status ?? "absent"} without a published final event after ${timeoutMs} ms`,
          );
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      dynamo.disarm();
      await stack.stop();
      await proxy.stop();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function hasFinalEvent(stack: LocalStack, sessionId: string): boolean {
  return stack.eventBridge
    .events()
    .some(
      (e) =>
        (e["detail-type"] === "WorkflowCompleted" || e["detail-type"] === "WorkflowFailed") &&
        (e.detail as { sessionId?: string }).sessionId === sessionId,
    );
}
