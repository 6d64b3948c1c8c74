import type { DetailType } from "../wiring.ts";
import type {
  BatchRecord,
  BatchStatus,
  Page,
  SessionCounters,
  SessionRecord,
  SessionStatus,
  StoredResult,
} from "./model.ts";

/** Thrown by a store when an item it must read does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/**
 * The session table. Every write is a single-item write; transitions are conditional on the expected state and
 * return undefined when the condition does not hold (another worker got there first), never throw for it.
 */
export interface SessionStore {
  /** Creates the session if no session of that id exists; returns false if one did. */
  createSession(session: SessionRecord): Promise<boolean>;
  /** Writes the batch items (parallel BatchWriteItem, unprocessed items retried). */
  putBatches(batches: BatchRecord[]): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  /** Most recent first. */
  listSessions(limit: number, cursor?: string): Promise<Page<SessionRecord>>;
  getBatch(sessionId: string, batch: number): Promise<BatchRecord | undefined>;
  /** In batch order; `status` filters. */
  listBatches(
    sessionId: string,
    options: { status?: BatchStatus; limit: number; cursor?: string },
  ): Promise<Page<BatchRecord>>;
  /**
   * Moves a batch from one of `from` to `to`, setting `set`, if its attempt equals `attempt` (when given) and
   * `leaseBefore` (when given) is later than its leaseUntil. Returns the new record, or undefined.
   */
  transitionBatch(
    sessionId: string,
    batch: number,
    change: {
      from: readonly BatchStatus[];
      to: BatchStatus;
      attempt?: number;
      leaseBefore?: number;
      set?: Partial<Omit<BatchRecord, "sessionId" | "batch" | "status">>;
      /** Attributes to remove (e.g. leaseUntil). */
      remove?: readonly (keyof BatchRecord)[];
    },
  ): Promise<BatchRecord | undefined>;
  /** Idempotent: a result is keyed by session and symbol. */
  putResults(results: StoredResult[]): Promise<void>;
  /** Writes each result only where none exists yet; returns the ones written. */
  putResultsIfAbsent(results: StoredResult[]): Promise<StoredResult[]>;
  getResults(sessionId: string, symbols: readonly string[]): Promise<StoredResult[]>;
  /** In symbol order; `statuses` filters. */
  listResults(
    sessionId: string,
    options: { statuses?: readonly StoredResult["status"][]; limit: number; cursor?: string },
  ): Promise<Page<StoredResult>>;
  /**
   * Adds a batch's outcome to the session's counters exactly once: the update is conditioned on the batch number
   * not being in the session's counted set. Returns the session after the update, or undefined if it was counted.
   */
  countBatch(sessionId: string, batch: number, delta: Partial<SessionCounters>): Promise<SessionRecord | undefined>;
  /** Adds to counters that are not tied to one batch's completion (credits wasted by a 429). */
  addToCounters(sessionId: string, delta: Partial<SessionCounters>): Promise<void>;
  /** Conditional on the session's current status being one of `from`. Returns the new record, or undefined. */
  updateSession(
    sessionId: string,
    change: {
      from?: readonly SessionStatus[];
      set?: Partial<Omit<SessionRecord, "sessionId" | "counters">>;
      remove?: readonly (keyof SessionRecord)[];
      /**
       * Only if this attribute is absent or below the value (for at-most-once markers such as progressSlot), or,
       * with orAbove, above that (an earlier pump message supersedes a later one).
       */
      below?: { attribute: "progressSlot" | "pumpDueAt" | "pumpLeaseUntil"; value: number; orAbove?: number };
      /** Only if this attribute is absent. */
      absent?: "finalEventAt";
    },
  ): Promise<SessionRecord | undefined>;
}

export interface SlotReservation {
  /** Start of the credit slot (ms since epoch). */
  slotStart: number;
  credits: number;
}

export type ReserveOutcome =
  | { kind: "reserved"; reservation: SlotReservation }
  /** Every slot up to the horizon is full; the earliest slot start that may have room after it. */
  | { kind: "horizon_full"; retryAt: number }
  /** The UTC day's credits are spent; retry from the next UTC day. */
  | { kind: "day_exhausted"; resumeAt: number };

export type SpendOutcome =
  | { kind: "granted" }
  /** Spending now could exceed the plan in a rolling window: wait until `at`. */
  | { kind: "wait"; at: number }
  /** The slot is past (a later slot has spent): re-reserve. */
  | { kind: "expired" };

/**
 * The credit ledger shared by every session and worker of one provider account: reservations per slot and day
 * (the plan), and the spend gate that keeps actual spends safe under a rolling window.
 */
export interface CreditLedger {
  /** Reserves `credits` in the earliest slot, from `now` on, whose start is within `horizonMs`. */
  reserve(credits: number, now: number, horizonMs: number): Promise<ReserveOutcome>;
  /** Gives a reservation back (a claim lost to a racing pump, a cancelled batch). */
  release(reservation: SlotReservation): Promise<void>;
  /** Called right before the provider request of a reservation. */
  spend(reservation: SlotReservation, now: number): Promise<SpendOutcome>;
  /**
   * Called when that request is over, at `at`: the latest instant the provider can have counted it. Later slots
   * space their spends from it, so a request that reached the provider late never brings two slots together.
   */
  settle(reservation: SlotReservation, at: number): Promise<void>;
}

export type WorkMessage =
  | { type: "batch"; sessionId: string; batch: number; attempt: number; slotStart: number }
  | { type: "pump"; sessionId: string };

export interface WorkQueue {
  send(message: WorkMessage, delaySeconds: number): Promise<void>;
}

export interface EventPublisher {
  publish(detailType: DetailType, detail: Record<string, unknown>): Promise<void>;
}

/** One-time schedules that resume a paused session (EventBridge Scheduler on AWS, the shim locally). */
export interface ResumeScheduler {
  scheduleResume(sessionId: string, at: Date): Promise<void>;
  cancelResume(sessionId: string): Promise<void>;
}
