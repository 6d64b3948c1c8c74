import type { Bar } from "../domain/bar.ts";
import type { Issue, Metrics, ResultStatus, SymbolResult } from "../quality/types.ts";

export const SessionStatus = {
  running: "running",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
} as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];

export const BatchStatus = {
  pending: "pending",
  queued: "queued",
  processing: "processing",
  done: "done",
  failed: "failed",
  cancelled: "cancelled",
} as const;
export type BatchStatus = (typeof BatchStatus)[keyof typeof BatchStatus];

export interface StartedBy {
  kind: "schedule" | "slack" | "cli" | "retry";
  user?: string;
  channel?: string;
}

export interface SessionParams {
  /** The datalake URI template the session reads. */
  datalake: string;
  lookbackDays: number;
  /** ISO instant the checks are made for. */
  asOf: string;
  batchSize: number;
  /** Session this one retries, if any. */
  retryOf?: string;
  /** A session over the configured universe (and its retries): which round of the universe's coverage it is. */
  coverage?: CoverageParams;
}

/** What a session over the universe records its checks under (app/pipeline/coverage-session.ts). */
export interface CoverageParams {
  /** The universe's key: a hash of the datalake URI. */
  universe: string;
  round: number;
  universeSize: number;
  /** Daily sessions between two checks of a symbol at the plan's rate. */
  rotation: number;
  /** `full`: the universe fits in a day and is checked whole; `rotation`: today's slice of it. */
  mode: "full" | "rotation";
}

export interface SessionCounters {
  batchesDone: number;
  batchesFailed: number;
  passed: number;
  failed: number;
  errored: number;
  creditsUsed: number;
  creditsWasted: number;
}

export interface SessionRecord {
  sessionId: string;
  correlationId: string;
  status: SessionStatus;
  params: SessionParams;
  totalSymbols: number;
  totalBatches: number;
  counters: SessionCounters;
  createdAt: string;
  startedBy: StartedBy;
  finishedAt?: string;
  /** While the day's credits are spent: ISO instant of the resume. */
  pausedUntil?: string;
  /** Live Slack message, once posted. */
  slack?: { channel: string; ts: string };
  /**
   * Claimed by the worker that publishes the final event, so a redelivery never publishes twice. A claim whose
   * worker died before the event was sent (no finalEventSentAt) runs out after a lease, and is taken again.
   */
  finalEventAt?: string;
  /** The final event was published (under the claim made at finalEventAt). */
  finalEventSentAt?: string;
  /** The slot start (ms) of the last SessionProgress, so at most one is published per credit window. */
  progressSlot?: number;
  /** The latest pump message's due time (ms), so racing workers do not each send one. */
  pumpDueAt?: number;
  /** While a pump works through the session's batches (ms): one pump at a time, so pumps never race for slots. */
  pumpLeaseUntil?: number;
  /**
   * ISO instant the session should have finished by: its estimated duration at the plan's rate (and a day per
   * daily cap it meets), doubled, plus an hour. Past it the pump reports SessionOverdue; its items are kept
   * the retention beyond twice this bound.
   */
  dueAt?: string;
  error?: string;
  cancelledBy?: string;
}

export interface BatchRecord {
  sessionId: string;
  batch: number;
  symbols: string[];
  status: BatchStatus;
  /** Incremented each time the batch is (re)queued; a message carries the attempt it was sent for. */
  attempt: number;
  /** Start (ms) of the credit slot reserved for the current attempt. */
  slotStart?: number;
  leaseUntil?: number;
  startedAt?: string;
  finishedAt?: string;
  /** A worker failed after claiming this attempt: the next claim keeps the results it may have stored. */
  interrupted?: boolean;
  /**
   * The slot whose credits this attempt has started to spend (set right before the provider request): a
   * redelivery never spends that slot again, nor gives its credits back, since the provider may have charged them.
   */
  spentSlot?: number;
  /** Symbols still without a result after a split or a partial answer: what the pump reserves next. */
  remaining?: number;
  /** Provider outages met so far; at the limit the batch fails with `error` results. */
  providerFailures: number;
  error?: string;
  /** Outcome counts, written with `done`, so a recount never needs the results. */
  outcome?: { passed: number; failed: number; errored: number; credits: number };
}

/** One reference bar as stored with a result: [date, open, high, low, close, volume]; null where a value is missing. */
export type ReferenceRow = [string, number | null, number | null, number | null, number | null, number | null];

/** A bar as a stored row: DynamoDB refuses NaN, so a missing value is null. */
export function referenceRow(bar: Bar): ReferenceRow {
  const value = (n: number | null) => (n !== null && Number.isFinite(n) ? n : null);
  return [bar.date, value(bar.open), value(bar.high), value(bar.low), value(bar.close), value(bar.volume)];
}

/** A stored row as a bar again, for a chart: a missing value is NaN, as the datalake readers give it. */
export function barOfRow(row: ReferenceRow): Bar {
  const [date, open, high, low, close, volume] = row;
  return {
    date,
    open: open ?? Number.NaN,
    high: high ?? Number.NaN,
    low: low ?? Number.NaN,
    close: close ?? Number.NaN,
    volume,
  };
}

export interface StoredResult {
  sessionId: string;
  symbol: string;
  batch: number;
  status: ResultStatus;
  issues: Issue[];
  metrics: Metrics;
  error?: SymbolResult["error"];
  validatedAt: string;
  /**
   * A failing symbol's reference bars in the checked range, as [date, open, high, low, close, volume] rows: its
   * report chart draws them without spending another credit (about 60 bytes a bar).
   */
  reference?: ReferenceRow[];
}

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  cursor?: string;
}

export function emptyCounters(): SessionCounters {
  return { batchesDone: 0, batchesFailed: 0, passed: 0, failed: 0, errored: 0, creditsUsed: 0, creditsWasted: 0 };
}

/**
 * How long the session's items must live: twice its bound (dueAt) after its start, so a session that runs late
 * still finds its own items; the store keeps them the retention beyond that. Undefined for a session without a
 * bound (created before there was one): the retention then runs from each write.
 */
export function keepOf(session: Pick<SessionRecord, "createdAt" | "dueAt">): { keepUntil?: number } {
  if (session.dueAt === undefined) return {};
  const created = Date.parse(session.createdAt);
  return { keepUntil: created + 2 * (Date.parse(session.dueAt) - created) };
}

/** How dq status, dq check and the live message say the provider key is shared. */
export function sharingTheKey(takenByOthers: number): string {
  return `sharing the key: ${takenByOthers} credits a window taken by another consumer`;
}

export function isFinal(status: SessionStatus): boolean {
  return status !== "running";
}
