import { FUNCTIONS, QUEUE } from "../wiring.ts";
import type { PipelineContext } from "./context.ts";
import type { SessionRecord } from "./model.ts";

export type PumpOutcome =
  | { kind: "not_running" }
  | { kind: "paused"; until: string }
  | { kind: "drained"; queued: number }
  | { kind: "yielded"; queued: number }
  | { kind: "busy" }
  | { kind: "horizon_full"; queued: number; nextPumpAt: number }
  | { kind: "day_exhausted"; queued: number; resumeAt: string };

const PAGE = 50;
/** Longer than any pump takes; a crashed pump's lease simply runs out. */
const PUMP_LEASE_MS = 60_000;

/**
 * Keeps a session's queue fed: for its pending batches in order, reserve the earliest free credit slot within the
 * SQS delay horizon, claim the batch pending -> queued, and send its message delayed to the slot. Safe to run
 * concurrently and repeatedly: a lost claim gives its reservation back.
 */
export async function pump(
  ctx: PipelineContext,
  sessionId: string,
  options: { sweep?: boolean } = {},
): Promise<PumpOutcome> {
  const { store, log } = ctx;
  let session = await store.getSession(sessionId);
  if (session?.status !== "running") return { kind: "not_running" };
  const now = ctx.clock();
  if (session.pausedUntil) {
    if (Date.parse(session.pausedUntil) > now) return { kind: "paused", until: session.pausedUntil };
    session = (await store.updateSession(sessionId, { from: ["running"], remove: ["pausedUntil"] })) ?? session;
    log.info("session resumed after the daily credit cap", { sessionId });
  }
  // One pump per session at a time: two pumps reserving for the same batches would leapfrog through the slots.
  const leased = await store.updateSession(sessionId, {
    from: ["running"],
    set: { pumpLeaseUntil: now + PUMP_LEASE_MS },
    below: { attribute: "pumpLeaseUntil", value: now },
  });
  if (!leased) return { kind: "busy" };
  try {
    if (options.sweep) await requeueLost(ctx, sessionId);
    return await feed(ctx, session);
  } finally {
    await store.updateSession(sessionId, { set: { pumpLeaseUntil: 0 } });
  }
}

async function feed(ctx: PipelineContext, session: SessionRecord): Promise<PumpOutcome> {
  const { store, ledger, queue, clock, settings } = ctx;
  const { sessionId } = session;
  let queued = 0;
  let lastSlotStart = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listBatches(sessionId, { status: "pending", limit: PAGE, cursor });
    for (const batch of page.items) {
      const now = clock();
      const outcome = await ledger.reserve(batch.symbols.length, now, settings.horizonMs);
      if (outcome.kind === "day_exhausted") {
        const resumeAt = new Date(outcome.resumeAt).toISOString();
        await pause(ctx, session, resumeAt);
        return { kind: "day_exhausted", queued, resumeAt };
      }
      if (outcome.kind === "horizon_full") {
        await schedulePump(ctx, sessionId, outcome.retryAt);
        return { kind: "horizon_full", queued, nextPumpAt: outcome.retryAt };
      }
      const { reservation } = outcome;
      const attempt = batch.attempt + 1;
      const claimed = await store.transitionBatch(sessionId, batch.batch, {
        from: ["pending"],
        to: "queued",
        attempt: batch.attempt,
        set: { attempt, slotStart: reservation.slotStart },
      });
      if (!claimed) {
        // Another pump of this session got there first and is working through the same batches in the same
        // order: leave the rest to it, so two pumps do not leapfrog each other through the credit slots.
        await ledger.release(reservation);
        return { kind: "yielded", queued };
      }
      // Whole seconds only: the processor waits out the remaining fraction before it spends.
      const delaySeconds = Math.max(0, Math.floor((reservation.slotStart - now) / 1000));
      await queue.send(
        { type: "batch", sessionId, batch: batch.batch, attempt, slotStart: reservation.slotStart },
        delaySeconds,
      );
      queued++;
      lastSlotStart = Math.max(lastSlotStart, reservation.slotStart);
    }
    cursor = page.cursor;
  } while (cursor);
  // Liveness never depends on one worker: if a batch's message is lost (a crash between the claim and the send),
  // this later pump finds the batch still queued long after its slot and puts it back to pending.
  if (lastSlotStart > 0) await schedulePump(ctx, sessionId, lastSlotStart + staleAfterMs(ctx));
  return { kind: "drained", queued };
}

/**
 * How long after its slot a queued batch must have been picked up: beyond every redelivery of its message, so a
 * message that keeps failing before it claims reaches the DLQ (and fails its batch) before the batch is re-queued
 * under a new attempt — which the dead-letter handler would ignore, forever. Each receive hides the message for
 * the visibility timeout, which the wiring sets at 3 leases (6 vs 2 processor timeouts).
 */
function staleAfterMs(ctx: PipelineContext): number {
  return QUEUE.maxReceiveCount * VISIBILITY_PER_LEASE * ctx.settings.leaseMs + ctx.settings.windowMs;
}

const VISIBILITY_PER_LEASE = QUEUE.visibilityTimeoutSeconds / (2 * FUNCTIONS.processor.timeoutSeconds);

/** Queued batches whose slot is long past and that nobody claimed: their message was lost. Back to pending. */
async function requeueLost(ctx: PipelineContext, sessionId: string): Promise<number> {
  const cutoff = ctx.clock() - staleAfterMs(ctx);
  let moved = 0;
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listBatches(sessionId, { status: "queued", limit: PAGE, cursor });
    for (const batch of page.items) {
      if ((batch.slotStart ?? 0) > cutoff) continue;
      const reset = await ctx.store.transitionBatch(sessionId, batch.batch, {
        from: ["queued"],
        to: "pending",
        attempt: batch.attempt,
        remove: ["slotStart"],
      });
      if (reset) {
        moved++;
        ctx.log.warn("a queued batch was never picked up: re-queued", { sessionId, batch: batch.batch });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return moved;
}

/**
 * Leaves a delayed `pump` message for the session, unless one is already due between now and `at`: at most one
 * is outstanding, and an earlier need supersedes a later one (a superseded message still runs, harmlessly).
 */
export async function schedulePump(ctx: PipelineContext, sessionId: string, at: number): Promise<void> {
  const now = ctx.clock();
  const marked = await ctx.store.updateSession(sessionId, {
    from: ["running"],
    set: { pumpDueAt: at },
    below: { attribute: "pumpDueAt", value: now, orAbove: at },
  });
  if (!marked) return;
  const delaySeconds = Math.min(900, Math.max(1, Math.ceil((at - now) / 1000)));
  await ctx.queue.send({ type: "pump", sessionId }, delaySeconds);
}

/** The day's credits are spent: pause the session and let a one-time schedule resume it. */
async function pause(ctx: PipelineContext, session: SessionRecord, resumeAt: string): Promise<void> {
  const paused = await ctx.store.updateSession(session.sessionId, {
    from: ["running"],
    set: { pausedUntil: resumeAt },
  });
  if (!paused) return;
  await ctx.resume.scheduleResume(session.sessionId, new Date(resumeAt));
  ctx.log.warn("daily credits spent: session paused", { sessionId: session.sessionId, resumeAt });
}
