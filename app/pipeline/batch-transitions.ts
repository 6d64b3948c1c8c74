import type { BatchRecord, BatchStatus } from "./model.ts";
import type { BatchEnd, RequeueChange } from "./ports.ts";

/**
 * One conditional move of a batch item: from one of `from` to `to`, if its attempt equals `attempt` and, when
 * `leaseBefore` is given, its lease ran out before then. A store applies it as one single-item conditional write.
 */
export interface BatchTransition {
  from: readonly BatchStatus[];
  to: BatchStatus;
  attempt: number;
  leaseBefore?: number;
  set?: Partial<Omit<BatchRecord, "sessionId" | "batch" | "status">>;
  remove?: readonly (keyof BatchRecord)[];
}

/**
 * The batch state machine (`pending → queued → processing → done | failed`, or `cancelled`), each verb of the
 * SessionStore port as the one transition it is. Every store applies these, so DynamoDB and the simulation's store
 * cannot disagree on what a verb means.
 */
export const batchTransitions = {
  queue: (attempt: number, slotStart: number): BatchTransition => ({
    from: ["pending"],
    to: "queued",
    attempt,
    set: { attempt: attempt + 1, slotStart },
  }),
  claim: (attempt: number, now: number, leaseUntil: number): BatchTransition => ({
    from: ["queued"],
    to: "processing",
    attempt,
    set: { leaseUntil, startedAt: new Date(now).toISOString() },
  }),
  takeOver: (attempt: number, now: number, leaseUntil: number): BatchTransition => ({
    from: ["processing"],
    to: "processing",
    attempt,
    leaseBefore: now,
    set: { leaseUntil, startedAt: new Date(now).toISOString() },
  }),
  recordSpend: (attempt: number, slotStart: number): BatchTransition => ({
    from: ["processing"],
    to: "processing",
    attempt,
    set: { spentSlot: slotStart },
  }),
  interrupt: (attempt: number): BatchTransition => ({
    from: ["processing"],
    to: "queued",
    attempt,
    set: { interrupted: true },
    remove: ["leaseUntil"],
  }),
  requeue: (attempt: number, change: RequeueChange): BatchTransition => ({
    from: ["processing"],
    to: "pending",
    attempt,
    set: change,
    remove: ["leaseUntil", "slotStart", "spentSlot"],
  }),
  finish: (attempt: number, end: BatchEnd, from: readonly BatchStatus[] = ["processing"]): BatchTransition => {
    const { status, ...set } = end;
    return { from, to: status, attempt, set, remove: ["leaseUntil"] };
  },
  cancel: (attempt: number, from: readonly BatchStatus[]): BatchTransition => ({
    from,
    to: "cancelled",
    attempt,
    remove: ["leaseUntil"],
  }),
  resetLost: (attempt: number): BatchTransition => ({
    from: ["queued"],
    to: "pending",
    attempt,
    remove: ["slotStart"],
  }),
} as const;
