import type { KeyUsage } from "../domain/ports.ts";
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

/** How long a session's items are kept: `retention` after the later of now and `keepUntil` (the session's bound). */
export interface Keep {
  /** ms since the epoch. */
  keepUntil?: number;
}

/** What a finished batch records: its outcome counts, so a recount never needs the results. */
export interface BatchEnd {
  status: "done" | "failed";
  finishedAt: string;
  outcome: NonNullable<BatchRecord["outcome"]>;
  error?: string;
  providerFailures?: number;
}

/**
 * The session table in the pipeline's own verbs. Every write is one conditional single-item write: a verb whose
 * condition does not hold (another worker got there first, a duplicate or late delivery) answers undefined or
 * false and changes nothing; it never throws for it. Reads are strongly consistent.
 */
export interface SessionStore {
  /** Creates the session if no session of that id exists; returns false if one did. */
  createSession(session: SessionRecord, keep?: Keep): Promise<boolean>;
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  /** Most recent first. */
  listSessions(limit: number, cursor?: string): Promise<Page<SessionRecord>>;

  /**
   * The pump's lease, so two pumps never leapfrog each other through the credit slots: taken while the session
   * runs and nobody holds a lease that is still live at `now`; it runs until `until`, which is also its token.
   * Returns the session, or undefined (not running, or busy).
   */
  acquirePumpLease(sessionId: string, now: number, until: number): Promise<SessionRecord | undefined>;
  /** Gives the lease back, only if it is still the one taken until `until` (not a later holder's). */
  releasePumpLease(sessionId: string, until: number): Promise<void>;
  /** Records that a pump message is due at `at`, unless an earlier one is still due (after `now`). */
  notePumpDue(sessionId: string, at: number, now: number): Promise<void>;
  /** A pump message due at `at` has arrived: it no longer counts as due. */
  clearPumpDue(sessionId: string, at: number): Promise<void>;
  /** Claims the credit slot starting at `slot` for one SessionProgress; undefined if this or a later slot has one. */
  claimProgressSlot(sessionId: string, slot: number): Promise<SessionRecord | undefined>;
  /** A running session waits for the next UTC day's credits until `until` (ISO). */
  pauseSession(sessionId: string, until: string): Promise<SessionRecord | undefined>;
  /** A running session's pause is over. */
  resumeSession(sessionId: string): Promise<SessionRecord | undefined>;
  /** running -> a final status. Returns the session as it now is, or undefined if it was not running. */
  finishSession(
    sessionId: string,
    end: {
      status: Exclude<SessionStatus, "running">;
      finishedAt: string;
      error?: string;
      cancelledBy?: string;
    },
  ): Promise<SessionRecord | undefined>;
  /**
   * Claims the publication of the final session's one final event: undefined if it was sent, or if another claim
   * was made at or after `staleBefore` (its worker may still be publishing).
   */
  claimFinalEvent(sessionId: string, at: string, staleBefore: string): Promise<SessionRecord | undefined>;
  /** Gives that claim back (the publication failed), only if it is still the one made at `at`. */
  releaseFinalEvent(sessionId: string, at: string): Promise<void>;
  /** The event of the claim made at `at` was published: nobody publishes it again. */
  confirmFinalEvent(sessionId: string, at: string, sentAt: string): Promise<void>;
  /**
   * Adds a batch's outcome to the session's counters exactly once: the update is conditioned on the batch number
   * not being in the session's counted set. Returns the session after the update, or undefined if it was counted.
   */
  countBatch(sessionId: string, batch: number, delta: Partial<SessionCounters>): Promise<SessionRecord | undefined>;
  /** Adds to counters that are not tied to one batch's completion (credits wasted by a 429). */
  addToCounters(sessionId: string, delta: Partial<SessionCounters>): Promise<void>;

  /** Writes the batch items (parallel BatchWriteItem, unprocessed items retried). */
  putBatches(batches: BatchRecord[], keep?: Keep): Promise<void>;
  getBatch(sessionId: string, batch: number): Promise<BatchRecord | undefined>;
  /** In batch order; `status` filters. */
  listBatches(
    sessionId: string,
    options: { status?: BatchStatus; limit: number; cursor?: string },
  ): Promise<Page<BatchRecord>>;
  /** pending -> queued for the next attempt, with the credit slot reserved for it. */
  queueBatch(sessionId: string, batch: number, attempt: number, slotStart: number): Promise<BatchRecord | undefined>;
  /** queued -> processing for this attempt, leased until `leaseUntil`. */
  claimBatch(
    sessionId: string,
    batch: number,
    attempt: number,
    now: number,
    leaseUntil: number,
  ): Promise<BatchRecord | undefined>;
  /** A processing batch of this attempt whose lease ran out before `now` is taken over, leased until `leaseUntil`. */
  takeOverBatch(
    sessionId: string,
    batch: number,
    attempt: number,
    now: number,
    leaseUntil: number,
  ): Promise<BatchRecord | undefined>;
  /** The batch's credits of `slotStart` are about to be spent: a redelivery must not spend the slot again. */
  recordSpend(sessionId: string, batch: number, attempt: number, slotStart: number): Promise<BatchRecord | undefined>;
  /** processing -> queued, marked interrupted: its worker failed; the redelivery keeps what it stored. */
  interruptBatch(sessionId: string, batch: number, attempt: number): Promise<BatchRecord | undefined>;
  /**
   * processing -> pending (same attempt), so the pump re-reserves it; its lease and slot are dropped. `remaining`:
   * symbols still without a result, what the pump reserves for next.
   */
  requeueBatch(
    sessionId: string,
    batch: number,
    attempt: number,
    change: RequeueChange,
  ): Promise<BatchRecord | undefined>;
  /** A batch of this attempt in one of `from` ends done or failed. */
  finishBatch(
    sessionId: string,
    batch: number,
    attempt: number,
    end: BatchEnd,
    from?: readonly BatchStatus[],
  ): Promise<BatchRecord | undefined>;
  /** A batch of this attempt in one of `from` is cancelled (its session was cancelled or stopped). */
  cancelBatch(
    sessionId: string,
    batch: number,
    attempt: number,
    from: readonly BatchStatus[],
  ): Promise<BatchRecord | undefined>;
  /** queued -> pending: its message was lost (the sweep). */
  resetLostBatch(sessionId: string, batch: number, attempt: number): Promise<BatchRecord | undefined>;

  /** Idempotent: a result is keyed by session and symbol. */
  putResults(results: StoredResult[], keep?: Keep): Promise<void>;
  /** Writes each result only where none exists yet; returns the ones written. */
  putResultsIfAbsent(results: StoredResult[], keep?: Keep): Promise<StoredResult[]>;
  getResults(sessionId: string, symbols: readonly string[]): Promise<StoredResult[]>;
  /** In symbol order; `statuses` filters. */
  listResults(
    sessionId: string,
    options: { statuses?: readonly StoredResult["status"][]; limit: number; cursor?: string },
  ): Promise<Page<StoredResult>>;
}

export interface RequeueChange {
  providerFailures: number;
  error?: string;
  interrupted?: boolean;
  remaining?: number;
}

export interface SlotReservation {
  /** Start of the credit slot (ms since epoch). */
  slotStart: number;
  credits: number;
}

export type ReserveOutcome =
  /** At most the credits asked for: fewer when the earliest slot with room has less (the batch is split). */
  | { kind: "reserved"; reservation: SlotReservation }
  /** Every slot up to the horizon is full; the earliest slot start that may have room after it. */
  | { kind: "horizon_full"; retryAt: number }
  /** The UTC day's credits are spent; retry from the next UTC day. */
  | { kind: "day_exhausted"; resumeAt: number };

export type SpendOutcome =
  /** Granted, and recorded at `at`: the clock as read for the attempt that won the gate's conditional write. */
  | { kind: "granted"; at: number }
  /** Spending now could exceed the plan in a rolling window: wait until `at`. */
  | { kind: "wait"; at: number }
  /** The slot is past (a later slot has spent): re-reserve. */
  | { kind: "expired" };

/**
 * The credit ledger shared by every session and worker of one provider account: reservations per slot and day
 * (the plan), and the spend gate that keeps actual spends safe under a rolling window.
 */
export interface CreditLedger {
  /**
   * Reserves up to `credits` in the earliest slot, from `now` on, whose start is within `horizonMs` and which has
   * room for at least one credit of the plan as it stands (the plan's credits less what another consumer of the key
   * takes a window).
   */
  reserve(credits: number, now: number, horizonMs: number): Promise<ReserveOutcome>;
  /** Gives a reservation back (a claim lost to a racing pump, a cancelled batch). */
  release(reservation: SlotReservation): Promise<void>;
  /**
   * Credits of a spent reservation the provider did not charge (a 429, symbols a partial answer refused, symbols
   * not requested): they go back to the day's count. The slot keeps them: its requests stay within the plan.
   */
  refund(reservation: SlotReservation): Promise<void>;
  /**
   * What the provider said of the key's window beside a request at `at` (KeyUsage): the plan shrinks by what a
   * refusal went past the limit and grows back as served requests show the other consumer holds less.
   */
  observe(usage: Pick<KeyUsage, "others" | "overflow">, at: number): Promise<void>;
  /** What the ledger knows of the key at `at` (and of the slot starting at `slotStart`, when given). */
  usage(at: number, slotStart?: number): Promise<LedgerUsage>;
  /**
   * Called right before the provider request of a reservation: granted when the spends recorded within the gate's
   * spacing leave room for its credits under `capacity` (the plan's credits per window less what another consumer
   * of the key takes; @default the plan's). `replacing`: the time of this reservation's own grant that came back too
   * late to stand, asked again in its place (its record goes whatever the answer, so no credit is recorded twice).
   * `now` as a clock is read again for each attempt at the gate's write (racing workers make a spend try again), so
   * the record is when the attempt that won began, and the request leaves right after it.
   */
  spend(
    reservation: SlotReservation,
    now: number | (() => number),
    capacity?: number,
    replacing?: number,
  ): Promise<SpendOutcome>;
  /**
   * The provider answered that the UTC day of `at` has no credits left (another program spent them): no more
   * reservations that day, for any session of the account.
   */
  closeDay(at: number): Promise<void>;
  /**
   * The spend granted at `grantedAt` had its request leave at `sentAt`, later than the gate granted it (a slow grant, a retry, the client's pacer):
   * later slots space their spends from it, so a request that left late never brings two slots together.
   */
  settle(reservation: SlotReservation, grantedAt: number, sentAt: number): Promise<void>;
  /**
   * The spend granted at `grantedAt` will not leave (its grant came back too late to stand, and the wait ran out
   * before it was granted again): its record goes, and its credits no longer hold later spends back.
   */
  withdraw(reservation: SlotReservation, grantedAt: number): Promise<void>;
}

export interface LedgerUsage {
  /** The plan's credits per slot. */
  creditsPerSlot: number;
  /** Credits a window another consumer of the key is taken to hold at `at` (0 when none was seen lately). */
  takenByOthers: number;
  /** Credits counted in the UTC day of `at` (only what the provider charged); null for a plan without a cap. */
  dayUsed: number | null;
  /** Credits reserved in the slot asked about, every batch's. */
  slotReserved?: number;
}

export type WorkMessage =
  /** `credits`: what was reserved for it (at most its symbols without a result); absent from older pumps: all. */
  | { type: "batch"; sessionId: string; batch: number; attempt: number; slotStart: number; credits?: number }
  /** `at`: when the pump was wanted (ms); a message SQS's 15-minute cap delivered early carries it on. */
  | { type: "pump"; sessionId: string; at?: number };

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
