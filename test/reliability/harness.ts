import { TwelveDataClient } from "../../app/adapters/twelvedata/client.ts";
import { LocalClock } from "../../local/clock.ts";
import { CountingMetrics } from "../../local/counting-metrics.ts";
import { createSyntheticMarket } from "../../local/market/synthetic-market.ts";
import type { MarketData } from "../../local/market/types.ts";
import { startTwelveDataEmulator, type TwelveDataEmulator } from "../../local/twelvedata/emulator.ts";
import {
  DynamoFaults,
  FaultCounter,
  ProcessorFaults,
  type ProviderProxy,
  startProviderProxy,
} from "../helpers/fault-injectors.ts";
import { startTestStack, type TestStack } from "../helpers/local-stack.ts";
import { testStartInstant } from "../helpers/pinned-clock.ts";

/** A key nobody would type by accident, so a scan for it finds only leaks. */
export const API_KEY = "td-rel-7Qx9VbN2kLmZp4Ws8Ht3Yc6Rj1";
export const CREDITS_PER_WINDOW = 8;
export const WINDOW_SECONDS = 1;

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

export interface Reliability extends TestStack {
  emulator: TwelveDataEmulator;
  proxy: ProviderProxy;
  metrics: CountingMetrics;
  faults: FaultCounter;
  dynamo: DynamoFaults;
  processor: ProcessorFaults;
  options: Required<Pick<ReliabilityOptions, "leaseMs" | "visibilityTimeoutSeconds" | "providerTimeoutMs">>;
}

/**
 * The test stack (test/helpers/local-stack.ts) with its own Twelve Data emulator behind a recording proxy and a
 * distinctive API key, every fault hook installed (idle until armed), and a 10-day lookback for every start.
 */
export async function startReliabilityStack(options: ReliabilityOptions = {}): Promise<Reliability> {
  const market = options.market ?? createSyntheticMarket();
  const clock = new LocalClock(testStartInstant());
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
  let t: TestStack;
  try {
    t = await startTestStack({
      market,
      clock,
      providerUrl: proxy.url,
      apiKey: API_KEY,
      creditsPerMinute: CREDITS_PER_WINDOW,
      creditWindowSeconds: WINDOW_SECONDS,
      visibilityTimeoutSeconds: resolved.visibilityTimeoutSeconds,
      metrics,
      instrumentClient: dynamo.instrument,
      wrapProcessor: processor.wrap,
      settings: { leaseMs: resolved.leaseMs, ...(options.horizonMs ? { horizonMs: options.horizonMs } : {}) },
      provider,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.slack ? { slack: {} } : {}),
      startDefaults: { lookbackDays: 10 },
    });
  } catch (error) {
    await proxy.stop();
    await emulator.close();
    throw error;
  }
  return {
    ...t,
    emulator,
    proxy,
    metrics,
    faults,
    dynamo,
    processor,
    options: resolved,
    async stop() {
      dynamo.disarm();
      await t.stop();
      await proxy.stop();
      await emulator.close();
    },
  };
}
