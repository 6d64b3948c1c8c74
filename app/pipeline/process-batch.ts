import type { KeyUsage, ReferenceProvider } from "../domain/ports.ts";
import { ProviderError, ProviderRateLimited, ProviderRefused } from "../domain/provider-errors.ts";
import { errorResult } from "../quality/check-symbol.ts";
import type { SymbolResult } from "../quality/types.ts";
import type { PipelineContext } from "./context.ts";
import { MetricName } from "./context.ts";
import { countAndMaybeFinalize, finalize } from "./finalize.ts";
import {
  type BatchRecord,
  type BatchStatus,
  keepOf,
  referenceRow,
  type SessionRecord,
  type StoredResult,
} from "./model.ts";
import type { SlotReservation, WorkMessage } from "./ports.ts";
import { pauseUntil, pump } from "./pump.ts";
import { spendMargins } from "./spend-margins.ts";
import { type ValidatedResult, validateSymbols } from "./validate.ts";

export type BatchOutcome =
  | "done"
  | "dropped_stale"
  | "dropped_cancelled"
  | "already_finished"
  | "requeued_rate_limited"
  | "requeued_partly_served"
  | "requeued_split"
  | "requeued_slot_expired"
  | "requeued_slot_spent"
  | "requeued_provider_unavailable"
  | "paused_day_limit"
  | "failed_provider_unavailable"
  | "stopped_key_refused"
  | "sent_back_early";

/**
 * The longest a processor waits inside Lambda for its slot: SQS delays are whole seconds (a message comes up to a
 * second early), and a message earlier than this (clock skew, a redelivery) goes back to the queue for the rest.
 */
export const MAX_EARLY_WAIT_MS = 2_000;

type BatchMessage = Extract<WorkMessage, { type: "batch" }>;

/**
 * One batch, end to end: claim with a lease, read the subject bars, spend the reserved credits through the gate,
 * one provider request, check, store results, count, finalize if last, pump. Every step is conditional, so a
 * duplicate, late or redelivered message does nothing twice.
 */
export async function processBatch(ctx: PipelineContext, message: BatchMessage): Promise<BatchOutcome> {
  const { store } = ctx;
  const { sessionId, batch: n, attempt } = message;
  const early = message.slotStart - ctx.clock();
  if (early > MAX_EARLY_WAIT_MS) {
    // Waiting would bill Lambda time for nothing: the same message comes back at its slot (the batch stays queued).
    await ctx.queue.send(message, Math.floor(early / 1000));
    return "sent_back_early";
  }
  const session = await store.getSession(sessionId);
  if (!session) return "dropped_stale";
  if (session.status !== "running") return dropStopped(ctx, message, session, ["queued", "pending"]);

  const claimed = await claim(ctx, message);
  if (!claimed) {
    const current = await store.getBatch(sessionId, n);
    if (current && (current.status === "done" || current.status === "failed")) {
      // A redelivery after a crash between the batch's last write and the count: finish the count.
      await countAndMaybeFinalize(ctx, sessionId, n, deltaFor(current));
      await pump(ctx, sessionId);
      return "already_finished";
    }
    if (current?.status === "processing" && current.attempt === attempt) {
      // Another delivery holds the lease: come back after the visibility timeout rather than drop the message,
      // in case that holder dies without finishing.
      throw new BatchBusyError(sessionId, n);
    }
    // Back to pending since this message was sent (a worker re-queued it and may have died before pumping):
    // pumping costs little, and the batch is queued again at once instead of at the next sweep.
    if (current?.status === "pending") await pump(ctx, sessionId);
    return "dropped_stale";
  }
  try {
    return await run(ctx, message, session, claimed.batch, claimed.resumed);
  } catch (error) {
    if (error instanceof LeaseLostError) return "dropped_stale";
    // Give the lease back at once, so the redelivered message can claim the batch without waiting it out.
    await store.interruptBatch(sessionId, n, attempt).catch((releaseError: unknown) => {
      // Safe to go on: the batch stays `processing` under a lease that runs out, and then the redelivery takes it
      // over (claim() accepts an expired lease) and resumes it; only the wait is longer. The caller must see the
      // original error, thrown below, so the message is redelivered.
      ctx.log.warn("lease not given back after a failed batch; the redelivery takes it over once it expires", {
        sessionId,
        batch: n,
        attempt,
        error: releaseError instanceof Error ? `${releaseError.name}: ${releaseError.message}` : String(releaseError),
      });
    });
    throw error;
  }
}

/** The batch's slot is past, or its day is: it re-reserves. Internal to the processor. */
class SlotExpiredError extends Error {
  override name = "SlotExpiredError";
}

/** The session stopped (cancelled) while the batch waited for its slot: nothing was spent. */
class SessionStoppedError extends Error {
  override name = "SessionStoppedError";
  readonly session: SessionRecord;
  constructor(session: SessionRecord) {
    super(`session ${session.sessionId} is ${session.status}`);
    this.session = session;
  }
}

/** The batch was taken over (this worker's lease ran out) before it could spend: the new holder has it. */
class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

/** A duplicate delivery while the batch is being processed under a live lease. Retried, never dropped. */
export class BatchBusyError extends Error {
  override name = "BatchBusyError";
  constructor(sessionId: string, batch: number) {
    super(`batch ${batch} of session ${sessionId} is being processed by another delivery; retry later`);
  }
}

async function run(
  ctx: PipelineContext,
  message: BatchMessage,
  session: SessionRecord,
  batch: BatchRecord,
  resumed: boolean,
): Promise<BatchOutcome> {
  const { store, clock, settings, log } = ctx;
  const { sessionId, batch: n, slotStart } = message;
  const keep = keepOf(session);
  // Resuming after a worker died, or after a partial answer: what is stored stands, and is not requested (nor
  // charged) again.
  const kept = resumed ? (await store.getResults(sessionId, batch.symbols)).filter((r) => r.batch === n) : [];
  const keptSymbols = new Set(kept.map((r) => r.symbol));
  const todo = batch.symbols.filter((s) => !keptSymbols.has(s));
  // What the pump reserved for this attempt (a message from an older pump: the whole batch).
  const reserved = message.credits ?? batch.symbols.length;

  if (batch.spentSlot === slotStart) {
    // A worker of this very attempt started spending the slot and died before storing the answer: the provider
    // may have charged it. The slot is neither spent again (it might exceed the plan) nor given back (the ledger
    // must not count less than the provider charged); the batch re-reserves, and the credits count as wasted.
    log.warn("a worker died after spending its slot: the batch re-reserves", { sessionId, batch: n, slotStart });
    await requeue(ctx, batch, { wasted: Math.min(reserved, todo.length), interrupted: true, remaining: todo.length });
    return "requeued_slot_spent";
  }

  // The plan as it stands now: another consumer of the key may have taken part of it since the pump reserved. What
  // does not fit is split off (requested at a later slot), never sent to be refused.
  // The slot's other batches were reserved under the plan as it stood then: together they fit what is left now.
  // Nothing spent: the batch goes back with its reservation's credits.
  const requeueUnspent = () =>
    requeue(ctx, batch, {
      wasted: 0,
      interrupted: resumed,
      remaining: todo.length,
      release: { slotStart, credits: reserved },
    });
  const plan = await ctx.ledger.usage(clock(), slotStart);
  const others = Math.max(0, (plan.slotReserved ?? reserved) - reserved);
  const allowed = Math.min(reserved, todo.length, Math.max(0, plan.creditsPerSlot - plan.takenByOthers - others));
  if (allowed === 0 && todo.length > 0) {
    await requeueUnspent();
    return "requeued_split";
  }
  const asked = todo.slice(0, allowed);
  const refused = new Set<string>();
  const heard: { usage?: KeyUsage; sentAt?: number } = {};
  let spent = false;
  let requested = 0;
  let grantedAt = 0;
  let results: SymbolResult[];
  try {
    results = await validateSymbols(
      {
        symbols: asked,
        asOf: new Date(session.params.asOf),
        lookbackDays: session.params.lookbackDays,
        checkOptions: settings.checkOptions,
      },
      ctx.datalakeFor(session.params.datalake),
      recordingRefusals(ctx.provider, refused, heard, clock),
      {
        // The subjects are read first, while a message that came up to a second early (whole-second delays) waits
        // for its slot. The gate is passed right before the request: the time it records is when the request
        // leaves, which the spend schedule spaces (docs/architecture.md). The spend is recorded on the batch first,
        // so nothing slow stands between the gate and the request.
        beforeRequest: async (symbols) => {
          if (slotStart > clock()) {
            await ctx.sleep(slotStart - clock());
            // A cancel may have landed while this batch waited: nothing is spent for a session that stopped.
            const now = await store.getSession(sessionId);
            if (now && now.status !== "running") throw new SessionStoppedError(now);
          }
          if (!(await store.recordSpend(sessionId, n, batch.attempt, slotStart))) throw new LeaseLostError();
          const gate = await passGate(ctx, slotStart, symbols.length, plan.creditsPerSlot - plan.takenByOthers);
          if (gate === "expired") throw new SlotExpiredError();
          grantedAt = gate.at;
          spent = true;
          requested = symbols.length;
        },
        afterRequest: async () => {
          // A request that left later than the gate allows for (a retry, a slow grant) moves the gate to when it
          // left; on time, the grant's record stands and nothing is written.
          const sentAt = settings.spendEnvironment?.spaceFromAnswer ? clock() : (heard.sentAt ?? grantedAt);
          if (sentAt - grantedAt > spendMargins(settings.marginMs, settings.spendEnvironment).sendWithinMs)
            await ctx.ledger.settle({ slotStart, credits: requested }, grantedAt, sentAt);
          if (heard.usage) await ctx.ledger.observe(heard.usage, clock());
        },
        keepReferenceOfFailures: true,
      },
    );
  } catch (error) {
    if (error instanceof SessionStoppedError) return dropStopped(ctx, message, error.session, ["processing"]);
    if (error instanceof SlotExpiredError) {
      // Nothing was spent: the credits go back (the day's matter; the slot itself is past) — given back only by the
      // delivery that moves the batch back, so a redelivery that expires again never gives them back twice.
      await requeueUnspent();
      return "requeued_slot_expired";
    }
    if (error instanceof LeaseLostError) throw error;
    return handleProviderFailure(ctx, session, batch, error, {
      spent,
      resumed,
      slotStart,
      reserved,
      requested,
      remaining: todo.length,
    });
  }

  const validatedAt = new Date(clock()).toISOString();
  // Symbols a partial answer left unserved (their own 429) get no result: they are requested again.
  const served = results.filter((r) => !refused.has(r.symbol));
  await store.putResults(
    served.map((r) => toStored(sessionId, n, r, validatedAt)),
    keep,
  );
  // Only what the provider charged counts in the day: the reservation's unrequested and refused credits go back.
  const uncharged = reserved - (requested - refused.size);
  if (uncharged > 0) await ctx.ledger.refund({ slotStart, credits: uncharged });
  const left = todo.length - served.length;
  if (left > 0) {
    if (refused.size > 0) ctx.metrics.count(MetricName.rateLimited, 1);
    log.warn(
      refused.size > 0
        ? "provider served part of a batch: the rest is re-queued"
        : "the key's credits left fit part of a batch: the rest is re-queued",
      { sessionId, batch: n, served: served.length, refused: refused.size, left, takenByOthers: plan.takenByOthers },
    );
    await requeue(ctx, batch, { wasted: 0, interrupted: true, remaining: left });
    return refused.size > 0 ? "requeued_partly_served" : "requeued_split";
  }
  results = [...kept, ...served];
  // Credits are spent only for the symbols whose subject could be read (the others were never requested).
  const outcome = summarize(results, results.filter((r) => r.error?.kind !== "datalake").length);
  const finished = await store.finishBatch(sessionId, n, batch.attempt, {
    status: "done",
    finishedAt: validatedAt,
    outcome,
  });
  if (!finished) {
    log.warn("lost the batch before finishing it (lease expired and taken over)", { sessionId, batch: n });
    return "dropped_stale";
  }
  ctx.metrics.count(MetricName.symbolsValidated, results.length);
  ctx.metrics.count(MetricName.symbolsPassed, outcome.passed);
  ctx.metrics.count(MetricName.symbolsFailed, outcome.failed);
  ctx.metrics.count(MetricName.symbolsErrored, outcome.errored);
  ctx.metrics.count(MetricName.creditsUsed, outcome.credits);
  await countAndMaybeFinalize(ctx, sessionId, n, deltaFor(finished));
  await pump(ctx, sessionId);
  return "done";
}

/**
 * A batch of a session that stopped (cancelled, or stopped for a refused key): marked cancelled, and its slot's
 * credits go back to the ledger unspent. A stopped session whose final event is still missing gets it now.
 */
async function dropStopped(
  ctx: PipelineContext,
  message: BatchMessage,
  session: SessionRecord,
  from: BatchStatus[],
): Promise<BatchOutcome> {
  const { sessionId, batch, attempt, slotStart } = message;
  const dropped = await ctx.store.cancelBatch(sessionId, batch, attempt, from);
  if (dropped && dropped.spentSlot !== slotStart)
    await ctx.ledger.release({ slotStart, credits: message.credits ?? dropped.symbols.length });
  if (!session.finalEventSentAt) await finalize(ctx, session);
  return "dropped_cancelled";
}

/** queued -> processing for this attempt; or take over a processing batch whose lease has run out. */
async function claim(
  ctx: PipelineContext,
  message: BatchMessage,
): Promise<{ batch: BatchRecord; resumed: boolean } | undefined> {
  const now = ctx.clock();
  const { sessionId, batch, attempt } = message;
  const leaseUntil = now + ctx.settings.leaseMs;
  const fresh = await ctx.store.claimBatch(sessionId, batch, attempt, now, leaseUntil);
  if (fresh) return { batch: fresh, resumed: fresh.interrupted === true };
  const takenOver = await ctx.store.takeOverBatch(sessionId, batch, attempt, now, leaseUntil);
  return takenOver && { batch: takenOver, resumed: true };
}

const DAY_MS = 86_400_000;
/**
 * A grant that took longer than this to come back is asked for again, in its own place, before the request leaves
 * (see passGate). A quarter of the margin at the real window (250 ms), never less, so scaled test windows are not
 * held to it; a request that leaves later than sendWithinMs after its grant moves the gate instead (settle).
 */
const SLOW_GRANT_MS = 250;

async function passGate(
  ctx: PipelineContext,
  slotStart: number,
  credits: number,
  capacity: number,
): Promise<{ at: number } | "expired"> {
  const deadline = ctx.clock() + ctx.settings.maxSpendWaitMs;
  const dayStart = Math.floor(slotStart / DAY_MS) * DAY_MS;
  // Not too close to a midnight: the provider counts a request in the UTC day it arrives (settings.dayEdgeMs).
  const DAY_EDGE_MS = ctx.settings.dayEdgeMs;
  let replacing: number | undefined;
  for (;;) {
    // Credits were reserved against the slot's UTC day; spent on another day they would count against a day
    // whose ledger never saw them. A batch that arrives after (or just before) midnight re-reserves instead, and
    // one whose day has only just begun waits until the requests of the day before cannot be mistaken for it.
    if (ctx.clock() >= dayStart + DAY_MS - DAY_EDGE_MS || ctx.clock() < dayStart - DAY_EDGE_MS) return "expired";
    if (ctx.clock() < dayStart + DAY_EDGE_MS) {
      if (dayStart + DAY_EDGE_MS > deadline) return "expired";
      await ctx.sleep(dayStart + DAY_EDGE_MS - ctx.clock());
      continue;
    }
    const outcome = await ctx.ledger.spend({ slotStart, credits }, ctx.clock, capacity, replacing);
    replacing = undefined;
    // The gate recorded the spend when the attempt that won began; the request must leave right after. A grant that
    // took longer to come back (a slow write) is asked again in its own place, so the record is when it leaves.
    if (outcome.kind === "granted" && ctx.clock() - outcome.at <= Math.max(SLOW_GRANT_MS, ctx.settings.marginMs / 4))
      return { at: outcome.at };
    if (outcome.kind === "granted") {
      replacing = outcome.at;
      if (ctx.clock() > deadline) {
        // Nothing leaves under that record.
        await ctx.ledger.withdraw({ slotStart, credits }, outcome.at);
        return "expired";
      }
      continue;
    }
    if (outcome.kind === "expired" || outcome.at > deadline) return "expired";
    await ctx.sleep(Math.max(1, outcome.at - ctx.clock()));
  }
}

/**
 * The provider as the processor uses it: symbols it answered with their own 429 (a partial answer) are noted, and
 * so is what it said of the key's window.
 */
function recordingRefusals(
  provider: ReferenceProvider,
  refused: Set<string>,
  heard: { usage?: KeyUsage; sentAt?: number },
  clock: () => number,
): ReferenceProvider {
  return {
    async dailyBars(symbols, range) {
      const answer = await provider.dailyBars(
        symbols,
        range,
        (usage) => {
          heard.usage = usage;
        },
        () => {
          heard.sentAt = clock();
        },
      );
      for (const [symbol, outcome] of answer) if (!outcome.ok && outcome.code === 429) refused.add(symbol);
      return answer;
    },
  };
}

/**
 * Back to pending under the same attempt, so the pump re-reserves it (the next claim is the next attempt); no
 * symbol fails for it. `interrupted`: results of this batch may be stored, and the next attempt keeps them.
 */
async function requeue(
  ctx: PipelineContext,
  batch: BatchRecord,
  change: {
    wasted: number;
    providerFailure?: string;
    interrupted?: boolean;
    remaining?: number;
    release?: SlotReservation;
  },
) {
  const moved = await ctx.store.requeueBatch(batch.sessionId, batch.batch, batch.attempt, {
    providerFailures: batch.providerFailures + (change.providerFailure ? 1 : 0),
    ...(change.providerFailure ? { error: change.providerFailure } : {}),
    ...(change.interrupted ? { interrupted: true } : {}),
    ...(change.remaining !== undefined ? { remaining: change.remaining } : {}),
  });
  // Credits never spent go back once: after the move that only one delivery can make (a crash in between leaves
  // them reserved, which only costs a slot some room).
  if (moved && change.release) await ctx.ledger.release(change.release);
  if (moved && change.wasted > 0) {
    await ctx.store.addToCounters(batch.sessionId, { creditsWasted: change.wasted });
    ctx.metrics.count(MetricName.creditsWasted, change.wasted);
  }
  // The pump queues it again, or leaves a pump message to come back for it.
  await pump(ctx, batch.sessionId);
}

async function handleProviderFailure(
  ctx: PipelineContext,
  session: SessionRecord,
  batch: BatchRecord,
  error: unknown,
  attempt: {
    spent: boolean;
    resumed: boolean;
    slotStart: number;
    reserved: number;
    requested: number;
    remaining: number;
  },
): Promise<BatchOutcome> {
  const credits = attempt.requested;
  const interrupted = attempt.resumed;
  const { slotStart, remaining } = attempt;
  if (error instanceof ProviderRateLimited) {
    ctx.metrics.count(MetricName.rateLimited, 1);
    ctx.log.warn("provider rate limit: batch re-queued", {
      sessionId: session.sessionId,
      batch: batch.batch,
      scope: error.scope,
      creditsUsed: error.creditsUsed,
      creditsLimit: error.creditsLimit,
    });
    if (error.scope === "day") {
      // The provider's day is spent (another program on the key, or a day that began elsewhere): nothing more can
      // be served before its reset, so the ledger closes the day for every session of the key and this one pauses.
      const resumeAt = nextUtcMidnight(ctx.clock());
      await ctx.ledger.closeDay(ctx.clock());
      await pauseUntil(ctx, session.sessionId, new Date(resumeAt).toISOString());
      await requeue(ctx, batch, { wasted: 0, interrupted, remaining });
      return "paused_day_limit";
    }
    // The provider charged nothing for a refused request: the day's count gets the whole reservation back, and the
    // ledger has learnt (observe) how much of the plan another consumer holds, so the batch is split to fit.
    await ctx.ledger.refund({ slotStart, credits: attempt.reserved });
    await requeue(ctx, batch, { wasted: 0, interrupted, remaining });
    return "requeued_rate_limited";
  }
  if (error instanceof ProviderRefused) {
    // The key is refused (revoked, mistyped, the plan lapsed): no retry can help until someone fixes it, so the
    // whole session stops at once with the reason, instead of failing batch after batch.
    const reason = `the provider refused the API key: ${error.message}`;
    ctx.log.error("provider refused the API key: session stopped", {
      sessionId: session.sessionId,
      error: error.message,
    });
    await ctx.store.requeueBatch(session.sessionId, batch.batch, batch.attempt, {
      providerFailures: batch.providerFailures,
      error: reason,
      ...(interrupted ? { interrupted: true } : {}),
    });
    await finalize(ctx, session, { status: "failed", error: reason });
    return "stopped_key_refused";
  }
  // Any other failure of the request as a whole (an outage, a rejected request) counts towards the batch's
  // provider failures; anything that is not a provider error is a bug, and the message's redelivery retries.
  if (!(error instanceof ProviderError)) throw error;
  const failures = batch.providerFailures + 1;
  ctx.log.warn("provider unavailable for a batch", {
    sessionId: session.sessionId,
    batch: batch.batch,
    failures,
    error: error.message,
  });
  // The reservation's credits that were never requested go back to the day; requested ones may have been charged.
  if (attempt.spent && attempt.reserved > credits)
    await ctx.ledger.refund({ slotStart, credits: attempt.reserved - credits });
  if (failures < ctx.settings.maxProviderFailures) {
    await requeue(ctx, batch, {
      wasted: attempt.spent ? credits : 0,
      providerFailure: error.message,
      interrupted,
      remaining,
    });
    return "requeued_provider_unavailable";
  }
  // An outage is never bad data: the symbols without a result get `error` results and the batch fails.
  const now = new Date(ctx.clock()).toISOString();
  const message = `provider unavailable after ${failures} attempts: ${error.message}`;
  const kept = interrupted
    ? (await ctx.store.getResults(session.sessionId, batch.symbols)).filter((r) => r.batch === batch.batch)
    : [];
  const keptSymbols = new Set(kept.map((r) => r.symbol));
  const failed = batch.symbols.filter((s) => !keptSymbols.has(s)).map((s) => errorResult(s, "provider", message));
  await ctx.store.putResults(
    failed.map((r) => toStored(session.sessionId, batch.batch, r, now)),
    keepOf(session),
  );
  const results = [...kept, ...failed];
  const ended = await ctx.store.finishBatch(session.sessionId, batch.batch, batch.attempt, {
    status: "failed",
    finishedAt: now,
    error: message,
    providerFailures: failures,
    // Only the kept results were charged; the failed attempts' credits are counted as wasted when they re-queued.
    outcome: summarize(results, kept.filter((r) => r.error?.kind !== "datalake").length),
  });
  if (ended) await countAndMaybeFinalize(ctx, session.sessionId, batch.batch, deltaFor(ended));
  await pump(ctx, session.sessionId);
  return "failed_provider_unavailable";
}

function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

export function toStored(sessionId: string, batch: number, r: ValidatedResult, validatedAt: string): StoredResult {
  return {
    sessionId,
    symbol: r.symbol,
    batch,
    status: r.status,
    issues: r.issues,
    metrics: r.metrics,
    ...(r.error ? { error: r.error } : {}),
    validatedAt,
    ...(r.reference ? { reference: r.reference.map(referenceRow) } : {}),
  };
}

export function summarize(results: readonly { status: string }[], credits: number) {
  let passed = 0;
  let failed = 0;
  let errored = 0;
  for (const r of results) {
    if (r.status === "pass") passed++;
    else if (r.status === "fail") failed++;
    else errored++;
  }
  return { passed, failed, errored, credits };
}

export function deltaFor(batch: BatchRecord) {
  const o = batch.outcome ?? { passed: 0, failed: 0, errored: 0, credits: 0 };
  return {
    ...(batch.status === "done" ? { batchesDone: 1 } : { batchesFailed: 1 }),
    passed: o.passed,
    failed: o.failed,
    errored: o.errored,
    creditsUsed: o.credits,
  };
}
