import type { Clock } from "../domain/clock.ts";
import type { Datalake, ReferenceProvider } from "../domain/ports.ts";
import type { CheckInput } from "../quality/types.ts";
import type { CreditLedger, EventPublisher, ResumeScheduler, SessionStore, WorkQueue } from "./ports.ts";

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
  creditsPerWindow: number;
  batchSize: number;
  /** How far ahead the pump reserves: SQS's maximum delay. @default 900000 */
  horizonMs: number;
  /** How long a claimed batch is owned by its worker. @default 2 x the processor timeout */
  leaseMs: number;
  /** Provider outages a batch meets before its symbols get `error` results. @default 3 */
  maxProviderFailures: number;
  /** Longest in-invocation wait for the spend gate; past it the batch is re-queued. */
  maxSpendWaitMs: number;
  checkOptions?: CheckInput["options"];
}

export interface PipelineContext {
  store: SessionStore;
  ledger: CreditLedger;
  queue: WorkQueue;
  events: EventPublisher;
  resume: ResumeScheduler;
  provider: ReferenceProvider;
  datalakeFor(uriTemplate: string): Datalake;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  log: Log;
  metrics: MetricsSink;
  settings: PipelineSettings;
}

export function defaultSettings(
  partial: Partial<PipelineSettings> & { creditsPerWindow: number; batchSize: number },
): PipelineSettings {
  const windowMs = partial.windowMs ?? 60_000;
  return {
    windowMs,
    marginMs: partial.marginMs ?? Math.max(20, Math.round(windowMs / 60)),
    horizonMs: partial.horizonMs ?? 900_000,
    leaseMs: partial.leaseMs ?? 120_000,
    maxProviderFailures: partial.maxProviderFailures ?? 3,
    maxSpendWaitMs: partial.maxSpendWaitMs ?? Math.min(20_000, windowMs / 2),
    ...partial,
  };
}
