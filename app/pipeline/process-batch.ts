import { ProviderError, ProviderRateLimited } from "../domain/provider-errors.ts";
import { errorResult } from "../quality/check-symbol.ts";
import type { SymbolResult } from "../quality/types.ts";
import type { PipelineContext } from "./context.ts";
import { MetricName } from "./context.ts";
import { countAndMaybeFinalize } from "./finalize.ts";
import type { BatchRecord, BatchStatus, SessionRecord, StoredResult } from "./model.ts";
import type { WorkMessage } from "./ports.ts";
import { pump, schedulePump } from "./pump.ts";
import { validateSymbols } from "./validate.ts";

export type BatchOutcome =
  | "done"
  | "dropped_stale"
  | "dropped_cancelled"
  | "already_finished"
  | "requeued_rate_limited"
  | "requeued_slot_expired"
  | "requeued_provider_unavailable"
  | "failed_provider_unavailable";

type BatchMessage = Extract<WorkMessage, { type: "batch" }>;

/**
 * One batch, end to end: claim with a lease, read the subject bars, spend the reserved credits through the gate,
 * one provider request, check, store results, count, finalize if last, pump. Every step is conditional, so a
 * duplicate, late or redelivered message does nothing twice.
 */
export async function processBatch(ctx: PipelineContext, message: BatchMessage): Promise<BatchOutcome> {
  const { store } = ctx;
  const { sessionId, batch: n, attempt } = message;
  const session = await store.getSession(sessionId);
  if (!session) return "dropped_stale";
  if (session.status === "cancelled") return dropCancelled(ctx, message, ["queued", "pending"]);

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
    return "dropped_stale";
  }
  try {
    return await run(ctx, message, session, claimed.batch, claimed.resumed);
  } catch (error) {
    // Give the lease back at once, so the redelivered message can claim the batch without waiting it out.
    await store
      .transitionBatch(sessionId, n, {
        from: ["processing"],
        to: "queued",
        attempt,
        set: { interrupted: true },
        remove: ["leaseUntil"],
      })
      .catch((releaseError: unknown) => {
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
  // Resuming after a worker died: what it already stored stands, and is not requested (nor charged) again.
  const kept = resumed ? (await store.getResults(sessionId, batch.symbols)).filter((r) => r.batch === n) : [];
  const keptSymbols = new Set(kept.map((r) => r.symbol));
  const todo = batch.symbols.filter((s) => !keptSymbols.has(s));

  // The message may arrive up to a second early (whole-second delays): wait for the slot itself.
  if (slotStart > clock()) {
    await ctx.sleep(slotStart - clock());
    // A cancel may have landed while this batch waited: nothing is spent for a cancelled session.
    if ((await store.getSession(sessionId))?.status === "cancelled") return dropCancelled(ctx, message, ["processing"]);
  }
  const datalake = ctx.datalakeFor(session.params.datalake);
  let results: SymbolResult[];
  try {
    results = await validateSymbols(
      {
        symbols: todo,
        asOf: new Date(session.params.asOf),
        lookbackDays: session.params.lookbackDays,
        checkOptions: settings.checkOptions,
      },
      datalake,
      ctx.provider,
      {
        // The gate is passed right before the request, after the datalake reads: the time it records must be the
        // time the provider counts the credits, or spends of consecutive slots could come closer than a window.
        beforeRequest: async (symbols) => {
          if ((await passGate(ctx, slotStart, symbols.length)) !== "granted") throw new SlotExpiredError();
        },
        afterRequest: () => ctx.ledger.settle({ slotStart, credits: todo.length }, clock()),
      },
    );
  } catch (error) {
    if (error instanceof SlotExpiredError) {
      // Nothing was spent: the credits go back (the day's matter; the slot itself is past).
      await ctx.ledger.release({ slotStart, credits: todo.length });
      await requeue(ctx, batch, { wasted: 0 });
      return "requeued_slot_expired";
    }
    return handleProviderFailure(ctx, session, batch, error);
  }

  const validatedAt = new Date(clock()).toISOString();
  await store.putResults(results.map((r) => toStored(sessionId, n, r, validatedAt)));
  // Credits are spent only for the symbols whose subject could be read (the others were never requested).
  const credits = results.filter((r) => r.error?.kind !== "datalake").length;
  results = [...kept, ...results];
  const outcome = summarize(results, credits);
  const finished = await store.transitionBatch(sessionId, n, {
    from: ["processing"],
    to: "done",
    attempt: batch.attempt,
    set: { finishedAt: validatedAt, outcome },
    remove: ["leaseUntil"],
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

/** A batch of a cancelled session: marked cancelled, and its slot's credits go back to the ledger unspent. */
async function dropCancelled(ctx: PipelineContext, message: BatchMessage, from: BatchStatus[]): Promise<BatchOutcome> {
  const { sessionId, batch, attempt, slotStart } = message;
  const dropped = await ctx.store.transitionBatch(sessionId, batch, { from, to: "cancelled", attempt });
  if (dropped) await ctx.ledger.release({ slotStart, credits: dropped.symbols.length });
  return "dropped_cancelled";
}

/** queued -> processing for this attempt; or take over a processing batch whose lease has run out. */
async function claim(
  ctx: PipelineContext,
  message: BatchMessage,
): Promise<{ batch: BatchRecord; resumed: boolean } | undefined> {
  const now = ctx.clock();
  const set = { leaseUntil: now + ctx.settings.leaseMs, startedAt: new Date(now).toISOString() };
  const change = { to: "processing", attempt: message.attempt, set } as const;
  const fresh = await ctx.store.transitionBatch(message.sessionId, message.batch, { ...change, from: ["queued"] });
  if (fresh) return { batch: fresh, resumed: fresh.interrupted === true };
  const takenOver = await ctx.store.transitionBatch(message.sessionId, message.batch, {
    ...change,
    from: ["processing"],
    leaseBefore: now,
  });
  return takenOver && { batch: takenOver, resumed: true };
}

const DAY_MS = 86_400_000;

async function passGate(ctx: PipelineContext, slotStart: number, credits: number): Promise<"granted" | "expired"> {
  const deadline = ctx.clock() + ctx.settings.maxSpendWaitMs;
  for (;;) {
    // Credits were reserved against the slot's UTC day; spent on another day they would count against a day
    // whose ledger never saw them. A batch that arrives after midnight re-reserves instead.
    if (Math.floor(ctx.clock() / DAY_MS) !== Math.floor(slotStart / DAY_MS)) return "expired";
    const outcome = await ctx.ledger.spend({ slotStart, credits }, ctx.clock());
    if (outcome.kind === "granted") return "granted";
    if (outcome.kind === "expired" || outcome.at > deadline) return "expired";
    await ctx.sleep(Math.max(1, outcome.at - ctx.clock()));
  }
}

/** Back to pending with the next attempt, so the pump re-reserves it; no symbol fails for it. */
async function requeue(ctx: PipelineContext, batch: BatchRecord, change: { wasted: number; providerFailure?: string }) {
  const moved = await ctx.store.transitionBatch(batch.sessionId, batch.batch, {
    from: ["processing"],
    to: "pending",
    attempt: batch.attempt,
    set: {
      providerFailures: batch.providerFailures + (change.providerFailure ? 1 : 0),
      ...(change.providerFailure ? { error: change.providerFailure } : {}),
    },
    remove: ["leaseUntil", "slotStart"],
  });
  if (moved && change.wasted > 0) {
    await ctx.store.addToCounters(batch.sessionId, { creditsWasted: change.wasted });
    ctx.metrics.count(MetricName.creditsWasted, change.wasted);
  }
  const result = await pump(ctx, batch.sessionId);
  // The pump may find every slot taken by other work; make sure somebody comes back for this batch.
  if (result.kind === "busy" || ((result.kind === "drained" || result.kind === "yielded") && result.queued === 0)) {
    await schedulePump(ctx, batch.sessionId, ctx.clock() + ctx.settings.windowMs);
  }
}

async function handleProviderFailure(
  ctx: PipelineContext,
  session: SessionRecord,
  batch: BatchRecord,
  error: unknown,
): Promise<BatchOutcome> {
  const credits = batch.symbols.length;
  if (error instanceof ProviderRateLimited) {
    ctx.metrics.count(MetricName.rateLimited, 1);
    ctx.log.warn("provider rate limit: batch re-queued", {
      sessionId: session.sessionId,
      batch: batch.batch,
      scope: error.scope,
      creditsUsed: error.creditsUsed,
      creditsLimit: error.creditsLimit,
    });
    await requeue(ctx, batch, { wasted: credits });
    return "requeued_rate_limited";
  }
  // Any other failure of the request as a whole (an outage, a refused key, a rejected request) counts towards the
  // batch's provider failures; anything that is not a provider error is a bug, and the message's redelivery retries.
  if (!(error instanceof ProviderError)) throw error;
  const failures = batch.providerFailures + 1;
  ctx.log.warn("provider unavailable for a batch", {
    sessionId: session.sessionId,
    batch: batch.batch,
    failures,
    error: error.message,
  });
  if (failures < ctx.settings.maxProviderFailures) {
    await requeue(ctx, batch, { wasted: credits, providerFailure: error.message });
    return "requeued_provider_unavailable";
  }
  // An outage is never bad data: the symbols get `error` results and the batch fails.
  const now = new Date(ctx.clock()).toISOString();
  const message = `provider unavailable after ${failures} attempts: ${error.message}`;
  const results = batch.symbols.map((s) => errorResult(s, "provider", message));
  await ctx.store.putResults(results.map((r) => toStored(session.sessionId, batch.batch, r, now)));
  const failed = await ctx.store.transitionBatch(session.sessionId, batch.batch, {
    from: ["processing"],
    to: "failed",
    attempt: batch.attempt,
    set: { finishedAt: now, error: message, providerFailures: failures, outcome: summarize(results, 0) },
    remove: ["leaseUntil"],
  });
  if (failed) await countAndMaybeFinalize(ctx, session.sessionId, batch.batch, deltaFor(failed));
  await pump(ctx, session.sessionId);
  return "failed_provider_unavailable";
}

export function toStored(sessionId: string, batch: number, r: SymbolResult, validatedAt: string): StoredResult {
  return {
    sessionId,
    symbol: r.symbol,
    batch,
    status: r.status,
    issues: r.issues,
    metrics: r.metrics,
    ...(r.error ? { error: r.error } : {}),
    validatedAt,
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
