import type { Clock } from "../domain/clock.ts";
import type { Datalake, ReferenceProvider } from "../domain/ports.ts";
import type { CheckInput } from "../quality/types.ts";
import { FUNCTIONS, QUEUE, workQueueTimings } from "../wiring.ts";
import type { CoverageStore } from "./coverage-store.ts";
import type { CreditLedger, EventPublisher, ResumeScheduler, SessionStore, WorkQueue } from "./ports.ts";
import type { SpendEnvironment } from "./spend-margins.ts";

export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const MetricName = {
  symbolsValidated: "SymbolsValidated",
  symbolsPassed: "SymbolsPassed",
  symbolsFailed: "SymbolsFailed",
  symbolsErrored: "SymbolsErrored",
  creditsUsed: "CreditsUsed",
  creditsWasted: "CreditsWasted",
  rateLimited: "RateLimited",
  sessionsStarted: "SessionsStarted",
  sessionsCompleted: "SessionsCompleted",
  sessionsFailed: "SessionsFailed",
  sessionOverdue: "SessionOverdue",
  /** Symbols of the universe last verified longer ago than the rotation allows (coverage mode's alarm). */
  coverageOverdue: "CoverageOverdueSymbols",
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** Counts in CloudWatch embedded metric format on AWS (Powertools Metrics); anything with the same shape locally. */
export interface MetricsSink {
  count(name: MetricName, value: number): void;
}

export interface PipelineSettings {
  /** The provider's credit window, ms. @default 60000 */
  windowMs: number;
  /** Added to every slot, so spends of consecutive slots stay a window apart despite delivery jitter. */
  marginMs: number;
  /**
   * Where the workers run, for the spend schedule's margins (spend-margins.ts). @default Lambda's, as shares of the
   * margin (lambdaEnvironment)
   */
  spendEnvironment?: SpendEnvironment;
  creditsPerWindow: number;
  /** The plan's credits per UTC day, for the session's stated bound; null without a daily cap. @default null */
  creditsPerDay?: number | null;
  batchSize: number;
  /** How far ahead the pump reserves: SQS's maximum delay. @default 900000 */
  horizonMs: number;
  /** How long a claimed batch is owned by its worker. @default 2 x the processor timeout */
  leaseMs: number;
  /** The work queue's visibility timeout: how long a received message stays hidden. @default 3 x the lease */
  visibilityTimeoutMs: number;
  /** Receives of a work message before SQS moves it to the DLQ. @default QUEUE.maxReceiveCount */
  maxReceiveCount: number;
  /** Provider outages a batch meets before its symbols get `error` results. @default 3 */
  maxProviderFailures: number;
  /** Longest in-invocation wait for the spend gate; past it the batch is re-queued. @default min(5 s, W / 2) */
  maxSpendWaitMs: number;
  /**
   * No spend this close to a UTC midnight: a request reaches the provider a little after the gate lets it go, and
   * the provider counts it in the day it arrives. @default min(15 s, a quarter of the window)
   */
  dayEdgeMs: number;
  checkOptions?: CheckInput["options"];
}

export interface PipelineContext {
  store: SessionStore;
  ledger: CreditLedger;
  queue: WorkQueue;
  events: EventPublisher;
  resume: ResumeScheduler;
  /** Each universe's rounds and symbol states; without it, sessions over the universe check it whole, as before. */
  coverage?: CoverageStore;
  provider: ReferenceProvider;
  datalakeFor(uriTemplate: string): Datalake;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  log: Log;
  metrics: MetricsSink;
  settings: PipelineSettings;
}

/**
 * The settings a stack's processor timeout implies (infra passes it in DQ_PROCESSOR_TIMEOUT_SECONDS): the lease
 * and the visibility timeout of wiring's workQueueTimings, the very numbers infra deploys the queue with.
 */
export function deployedTimings(
  processorTimeoutSeconds: number,
): Pick<PipelineSettings, "leaseMs" | "visibilityTimeoutMs" | "maxReceiveCount"> {
  const timings = workQueueTimings(processorTimeoutSeconds);
  return {
    leaseMs: timings.leaseSeconds * 1000,
    visibilityTimeoutMs: timings.visibilityTimeoutSeconds * 1000,
    maxReceiveCount: QUEUE.maxReceiveCount,
  };
}

/**
 * How long after its slot a queued batch must have been picked up: beyond every receive of its message, so a
 * message that keeps failing before it claims reaches the DLQ (and fails its batch) before the batch is re-queued
 * under a new attempt — which the dead-letter handler would ignore.
 */
export function staleAfterMs(settings: PipelineSettings): number {
  return settings.maxReceiveCount * settings.visibilityTimeoutMs + settings.windowMs;
}

/**
 * A processor waits at most this long inside Lambda for the gate: a spend on time waits at most the spread of the
 * slot before it (under a second); a longer wait means that slot ran late, and the batch re-reserves rather than bill
 * the wait. Re-reserving costs a slot (a window of the session's time), so the cap is a few seconds, not less.
 */
const MAX_SPEND_WAIT_MS = 5_000;

export function defaultSettings(
  partial: Partial<PipelineSettings> & { creditsPerWindow: number; batchSize: number },
): PipelineSettings {
  const windowMs = partial.windowMs ?? 60_000;
  const timings = workQueueTimings(FUNCTIONS.processor.timeoutSeconds);
  const leaseMs = partial.leaseMs ?? timings.leaseSeconds * 1000;
  return {
    windowMs,
    marginMs: partial.marginMs ?? Math.max(20, Math.round(windowMs / 60)),
    horizonMs: partial.horizonMs ?? QUEUE.delayHorizonSeconds * 1000,
    leaseMs,
    visibilityTimeoutMs:
      partial.visibilityTimeoutMs ??
      (partial.leaseMs === undefined ? timings.visibilityTimeoutSeconds * 1000 : 3 * leaseMs),
    maxReceiveCount: partial.maxReceiveCount ?? QUEUE.maxReceiveCount,
    maxProviderFailures: partial.maxProviderFailures ?? 3,
    maxSpendWaitMs: partial.maxSpendWaitMs ?? Math.min(MAX_SPEND_WAIT_MS, windowMs / 2),
    dayEdgeMs: partial.dayEdgeMs ?? Math.min(15_000, windowMs / 4),
    ...partial,
  };
}
