import type { PipelineContext } from "./context.ts";
import { MetricName, staleAfterMs } from "./context.ts";
import { finalize } from "./finalize.ts";
import type { SessionRecord } from "./model.ts";

export type PumpOutcome =
  | { kind: "not_running" }
  | { kind: "paused"; until: string }
  | { kind: "drained"; queued: number }
  | { kind: "busy" }
  | { kind: "horizon_full"; queued: number; nextPumpAt: number }
  | { kind: "day_exhausted"; queued: number; resumeAt: string };

const PAGE = 50;
/** Longer than any pump takes; a crashed pump's lease simply runs out. */
const PUMP_LEASE_MS = 60_000;

/**
 * Keeps a session's queue fed: for its pending batches in order, reserve the earliest free credit slot within the
 * SQS delay horizon, claim the batch pending -> queued, and send its message delayed to the slot. Safe to run
 * concurrently and repeatedly: one pump at a time holds the session's lease, and a lost claim gives its reservation
 * back. Whatever it finds, it leaves the session with a way to wake up again (a pump message, or the resume
 * schedule of a pause), so liveness never depends on one message or one worker.
 *
 * `sweep` (a pump message): batches whose message was lost go back to pending, and a session past its bound is
 * reported (SessionOverdue). `dueAt`: the time the pump message that runs this was meant for.
 */
export async function pump(
  ctx: PipelineContext,
  sessionId: string,
  options: { sweep?: boolean; dueAt?: number } = {},
): Promise<PumpOutcome> {
  const { store, log } = ctx;
  let session = await store.getSession(sessionId);
  if (session === undefined) return { kind: "not_running" };
  if (session.status !== "running") {
    // A session stopped by a cancel or a refused key whose final event a failure left unpublished gets it here,
    // from the session's own pump message.
    if (!session.finalEventSentAt) await finalize(ctx, session);
    return { kind: "not_running" };
  }
  if (options.dueAt !== undefined && session.pumpDueAt === options.dueAt)
    await store.clearPumpDue(sessionId, options.dueAt);
  const now = ctx.clock();
  if (options.sweep) reportOverdue(ctx, session, now);
  if (session.pausedUntil) {
    const until = Date.parse(session.pausedUntil);
    if (until > now) {
      await wakeAt(ctx, sessionId, until);
      return { kind: "paused", until: session.pausedUntil };
    }
    session = (await store.resumeSession(sessionId)) ?? session;
    log.info("session resumed after the daily credit cap", { sessionId });
  }
  // One pump per session at a time: two pumps reserving for the same batches would leapfrog through the slots.
  const leaseUntil = now + PUMP_LEASE_MS;
  const leased = await store.acquirePumpLease(sessionId, now, leaseUntil);
  if (!leased) {
    // Another pump works on the session; should it die, come back when its lease runs out.
    await schedulePump(ctx, sessionId, Math.max(now, session.pumpLeaseUntil ?? now) + 1_000);
    return { kind: "busy" };
  }
  let outcome: PumpOutcome;
  try {
    if (options.sweep) await requeueLost(ctx, sessionId);
    outcome = await feed(ctx, leased);
  } finally {
    await store.releasePumpLease(sessionId, leaseUntil);
  }
  // Whatever is in flight, someone comes back: a pump message no later than a sweep's period from now. If a
  // batch's message is lost (a crash between its claim and its send), a sweep after the message's last possible
  // receive finds the batch still queued and puts it back to pending. And one at the session's bound, so a session
  // that runs past it is reported overdue then, not up to a sweep's period later (or never, if it ends first).
  if (outcome.kind !== "day_exhausted") {
    const sweepAt = ctx.clock() + staleAfterMs(ctx.settings);
    const dueAt = session.dueAt === undefined ? Number.NaN : Date.parse(session.dueAt) + 1_000;
    await schedulePump(ctx, sessionId, dueAt > ctx.clock() && dueAt < sweepAt ? dueAt : sweepAt);
  }
  return outcome;
}

async function feed(ctx: PipelineContext, session: SessionRecord): Promise<PumpOutcome> {
  const { store, ledger, queue, clock, settings, log } = ctx;
  const { sessionId } = session;
  let queued = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listBatches(sessionId, { status: "pending", limit: PAGE, cursor });
    for (const batch of page.items) {
      const now = clock();
      // A slot close to a UTC midnight could not be spent (the gate keeps spends off it): reserve after it.
      const from = clearOfMidnight(now, settings.dayEdgeMs);
      // What is still without a result (a batch split to fit the key's credits, or partly served): at most that.
      const wanted = Math.min(batch.remaining ?? batch.symbols.length, batch.symbols.length);
      const outcome = await ledger.reserve(Math.max(1, wanted), from, settings.horizonMs - (from - now));
      if (outcome.kind === "day_exhausted") {
        const resumeAt = new Date(outcome.resumeAt).toISOString();
        await pauseUntil(ctx, sessionId, resumeAt);
        return { kind: "day_exhausted", queued, resumeAt };
      }
      if (outcome.kind === "horizon_full") {
        await schedulePump(ctx, sessionId, outcome.retryAt);
        return { kind: "horizon_full", queued, nextPumpAt: outcome.retryAt };
      }
      const { reservation } = outcome;
      const claimed = await store.queueBatch(sessionId, batch.batch, batch.attempt, reservation.slotStart);
      if (!claimed) {
        // The batch moved on since the page was read (a racing delivery, the dead-letter handler, a cancel): its
        // reservation goes back and the pump carries on with the next one.
        await ledger.release(reservation);
        log.info("a pending batch was taken before the pump could queue it", { sessionId, batch: batch.batch });
        continue;
      }
      // Whole seconds only: the processor waits out the remaining fraction before it spends.
      const delaySeconds = Math.max(0, Math.floor((reservation.slotStart - now) / 1000));
      try {
        await queue.send(
          {
            type: "batch",
            sessionId,
            batch: batch.batch,
            attempt: claimed.attempt,
            slotStart: reservation.slotStart,
            credits: reservation.credits,
          },
          delaySeconds,
        );
      } catch (error) {
        await unqueue(ctx, sessionId, claimed.batch, claimed.attempt, reservation);
        throw error;
      }
      queued++;
    }
    cursor = page.cursor;
  } while (cursor);
  return { kind: "drained", queued };
}

/**
 * The message of a batch just queued could not be sent (or the answer was lost): the batch goes back to pending at
 * once, for the next pump, instead of waiting for the sweep, and its slot's credits go back. Safe even if the
 * message did go: it carries an attempt that can no longer be claimed, since the next queueing is a new attempt.
 */
async function unqueue(
  ctx: PipelineContext,
  sessionId: string,
  batch: number,
  attempt: number,
  reservation: { slotStart: number; credits: number },
): Promise<void> {
  try {
    if (await ctx.store.resetLostBatch(sessionId, batch, attempt)) await ctx.ledger.release(reservation);
  } catch (error) {
    // The send's error, thrown by the caller, is what this delivery fails with; the sweep finds the batch later.
    ctx.log.warn("a batch whose message was not sent stays queued until the sweep finds it", {
      sessionId,
      batch,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}

const DAY_MS = 86_400_000;

/** `now`, or the first instant the spend gate allows after the UTC midnight `now` is within `edgeMs` of. */
function clearOfMidnight(now: number, edgeMs: number): number {
  const next = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  const previous = next - DAY_MS;
  if (next - now < edgeMs) return next + edgeMs;
  if (now - previous < edgeMs) return previous + edgeMs;
  return now;
}

/** Queued batches whose slot is long past and that nobody claimed: their message was lost. Back to pending. */
async function requeueLost(ctx: PipelineContext, sessionId: string): Promise<number> {
  const cutoff = ctx.clock() - staleAfterMs(ctx.settings);
  let moved = 0;
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listBatches(sessionId, { status: "queued", limit: PAGE, cursor });
    for (const batch of page.items) {
      if ((batch.slotStart ?? 0) > cutoff) continue;
      if (await ctx.store.resetLostBatch(sessionId, batch.batch, batch.attempt)) {
        moved++;
        ctx.log.warn("a queued batch was never picked up: re-queued", { sessionId, batch: batch.batch });
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return moved;
}

/**
 * Leaves a delayed `pump` message for the session, unless one is already due between now and `at`, so at most
 * about one is outstanding. The message is sent before it is recorded: a crash between the two leaves a spare
 * message (harmless), never a record of a message that does not exist. A message due beyond SQS's 15-minute cap
 * arrives early, carrying `at`, and its pump leaves the next one.
 */
export async function schedulePump(ctx: PipelineContext, sessionId: string, at: number): Promise<void> {
  const now = ctx.clock();
  const session = await ctx.store.getSession(sessionId);
  if (session?.status !== "running") return;
  const due = session.pumpDueAt;
  if (due !== undefined && due >= now && due <= at) return;
  const delaySeconds = Math.min(ctx.settings.horizonMs / 1000, Math.max(1, Math.ceil((at - now) / 1000)));
  await ctx.queue.send({ type: "pump", sessionId, at }, delaySeconds);
  await ctx.store.notePumpDue(sessionId, at, now);
}

/**
 * The day's credits are spent: the session pauses until `resumeAt`, and something is sure to wake it then. The
 * pause is recorded first; every pump that finds the session paused makes sure of the wake-up again, so a failure
 * between the two is repaired by the redelivery.
 */
export async function pauseUntil(ctx: PipelineContext, sessionId: string, resumeAt: string): Promise<void> {
  if (!(await ctx.store.pauseSession(sessionId, resumeAt))) return;
  await wakeAt(ctx, sessionId, Date.parse(resumeAt));
  ctx.log.warn("daily credits spent: session paused", { sessionId, resumeAt });
}

/**
 * A paused session's wake-up: a pump message when the pause ends within SQS's delay horizon, otherwise the
 * one-time resume schedule (creating it again is harmless). So a resume delivered a moment early, by a worker
 * whose clock runs ahead of the Scheduler's, leaves a pump message behind instead of nothing.
 */
async function wakeAt(ctx: PipelineContext, sessionId: string, until: number): Promise<void> {
  if (until - ctx.clock() <= ctx.settings.horizonMs) await schedulePump(ctx, sessionId, until);
  else await ctx.resume.scheduleResume(sessionId, new Date(until));
}

/** A running session past its bound: the SessionOverdue metric (its alarm) and a warning naming it. */
function reportOverdue(ctx: PipelineContext, session: SessionRecord, now: number): void {
  if (session.dueAt === undefined || Date.parse(session.dueAt) > now) return;
  ctx.metrics.count(MetricName.sessionOverdue, 1);
  ctx.log.warn("session overdue: still running past its bound", {
    sessionId: session.sessionId,
    dueAt: session.dueAt,
    overdueMinutes: Math.round((now - Date.parse(session.dueAt)) / 60_000),
  });
}
