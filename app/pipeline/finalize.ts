import { DetailType, EVENT_SCHEMA_VERSION } from "../wiring.ts";
import type { PipelineContext } from "./context.ts";
import { MetricName } from "./context.ts";
import type { CoverageFigures } from "./coverage.ts";
import { recordCoverage } from "./coverage-session.ts";
import type { SessionCounters, SessionRecord, SessionStatus, StoredResult } from "./model.ts";

const FAILED_SYMBOLS_IN_EVENT = 50;

/**
 * Adds a finished batch to the session's counters (exactly once, whatever the redeliveries) and, when that makes
 * done + failed == total, finalizes the session. Safe to call again for a batch already counted.
 */
export async function countAndMaybeFinalize(
  ctx: PipelineContext,
  sessionId: string,
  batch: number,
  delta: Partial<SessionCounters>,
): Promise<void> {
  const counted = await ctx.store.countBatch(sessionId, batch, delta);
  const session = counted ?? (await ctx.store.getSession(sessionId));
  if (!session) return;
  if (session.counters.batchesDone + session.counters.batchesFailed >= session.totalBatches) {
    await finalize(ctx, session);
  } else if (counted) {
    await maybePublishProgress(ctx, session);
  }
}

/**
 * Moves the session to its final state and publishes its one final event. The status change is conditional on
 * `running`; the event is published by whoever then claims `finalEventAt`, and the claim is confirmed once it is
 * sent, so a redelivery completes a crash between any two steps. Nobody publishes twice, except after a worker
 * died between the publication and its confirmation (the event then comes twice, with the same eventId). Before the claim, the session's resume schedule (if it was ever
 * paused) is deleted, so no schedule outlives it; a failure there fails this delivery, whose redelivery (or the
 * session's next pump message) finishes the job.
 */
export async function finalize(
  ctx: PipelineContext,
  session: SessionRecord,
  forced?: { status: Exclude<SessionStatus, "running">; error: string; cancelledBy?: string },
): Promise<void> {
  const now = ctx.clock();
  const status = forced?.status ?? (session.counters.batchesFailed > 0 ? "failed" : "completed");
  const moved = await ctx.store.finishSession(session.sessionId, {
    status,
    finishedAt: new Date(now).toISOString(),
    ...(forced ? { error: forced.error } : {}),
    ...(forced?.cancelledBy ? { cancelledBy: forced.cancelledBy } : {}),
  });
  const current = moved ?? (await ctx.store.getSession(session.sessionId));
  if (!current || current.status === "running" || current.finalEventSentAt) return;
  // The checks become the universe's coverage before the final event, which carries its figures. A failure fails
  // this delivery, and the redelivery records them again (states are replaced whole).
  const coverage = await recordCoverage(ctx, current);
  await ctx.resume.cancelResume(current.sessionId);
  const claimedAt = new Date(now).toISOString();
  // A claim older than a lease belongs to a worker that died before publishing: taken again.
  const staleBefore = new Date(now - ctx.settings.leaseMs).toISOString();
  const claimed = await ctx.store.claimFinalEvent(session.sessionId, claimedAt, staleBefore);
  if (!claimed) return;
  const failedSymbols = await firstFailures(ctx, claimed.sessionId);
  const detailType = claimed.status === "completed" ? DetailType.workflowCompleted : DetailType.workflowFailed;
  try {
    await ctx.events.publish(detailType, workflowDetail(claimed, now, failedSymbols, coverage));
  } catch (error) {
    // The claim goes back, so the redelivery of this message publishes the event instead of finding it claimed.
    await ctx.store.releaseFinalEvent(claimed.sessionId, claimedAt).catch((releaseError: unknown) => {
      // Going on is right: the publish error, thrown below, is what this delivery must fail with, and the session
      // itself is already final in the store (status and results are right). But a claim left in place means no
      // redelivery publishes the final event: the warning names the session whose notification is missing.
      ctx.log.warn("final event claim not released: a redelivery will not publish the final event", {
        sessionId: claimed.sessionId,
        detailType,
        error: releaseError instanceof Error ? `${releaseError.name}: ${releaseError.message}` : String(releaseError),
      });
    });
    ctx.log.error("final event not published; released for the next delivery to retry", {
      sessionId: claimed.sessionId,
      detailType,
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
  await confirmSent(ctx, claimed.sessionId, claimedAt);
  ctx.metrics.count(claimed.status === "completed" ? MetricName.sessionsCompleted : MetricName.sessionsFailed, 1);
  ctx.log.info("session finished", {
    sessionId: claimed.sessionId,
    status: claimed.status,
    counters: claimed.counters,
  });
  // A session that ran past its bound is reported overdue when it ends too: a pump message meant to report it while
  // it ran may have come late (a throttled or late delivery), and the alarm must not depend on it.
  const pastDueMs = claimed.dueAt === undefined ? 0 : ctx.clock() - Date.parse(claimed.dueAt);
  if (pastDueMs > 0) {
    ctx.metrics.count(MetricName.sessionOverdue, 1);
    ctx.log.warn("session overdue: finished past its bound", {
      sessionId: claimed.sessionId,
      dueAt: claimed.dueAt,
      overdueMinutes: Math.round(pastDueMs / 60_000),
    });
  }
}

/**
 * Records the publication. Retried a few times: while the claim is unconfirmed, a later delivery that finds it
 * stale publishes the event again (the one case of a second final event, which carries the same eventId).
 */
async function confirmSent(ctx: PipelineContext, sessionId: string, claimedAt: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.store.confirmFinalEvent(sessionId, claimedAt, new Date(ctx.clock()).toISOString());
      return;
    } catch (error) {
      if (attempt >= 4) {
        ctx.log.warn("final event published but not recorded: a later delivery may publish it again", {
          sessionId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        return;
      }
      await ctx.sleep(100 * 2 ** attempt);
    }
  }
}

/** At most one SessionProgress per credit slot per session: the slot is claimed on the session item first. */
async function maybePublishProgress(ctx: PipelineContext, session: SessionRecord): Promise<void> {
  const now = ctx.clock();
  const slotMs = ctx.settings.windowMs + ctx.settings.marginMs;
  const slot = Math.floor(now / slotMs) * slotMs;
  const claimed = await ctx.store.claimProgressSlot(session.sessionId, slot);
  if (!claimed) return;
  // A progress never fails for want of the key's share: without it the live message just does not mention it.
  const taken = await ctx.ledger.usage(now).then(
    (usage) => usage.takenByOthers,
    () => 0,
  );
  await ctx.events.publish(DetailType.sessionProgress, {
    ...progressDetail(claimed, now),
    ...(taken > 0 ? { takenByOthers: taken } : {}),
  });
}

export interface FailedSymbol {
  symbol: string;
  status: StoredResult["status"];
  issue: string;
}

async function firstFailures(ctx: PipelineContext, sessionId: string): Promise<FailedSymbol[]> {
  const page = await ctx.store.listResults(sessionId, { statuses: ["fail", "error"], limit: FAILED_SYMBOLS_IN_EVENT });
  return page.items.map(describeFailure);
}

export function describeFailure(result: StoredResult): FailedSymbol {
  const first = result.issues.find((i) => i.severity === "error") ?? result.issues[0];
  const issue =
    result.status === "error"
      ? (result.error?.message ?? "could not validate")
      : first
        ? `${first.code}: ${first.message}`
        : "failed";
  return { symbol: result.symbol, status: result.status, issue };
}

function baseDetail(session: SessionRecord, now: number) {
  return {
    schemaVersion: EVENT_SCHEMA_VERSION,
    sessionId: session.sessionId,
    correlationId: session.correlationId,
    status: session.status,
    totals: { symbols: session.totalSymbols, batches: session.totalBatches },
    counters: session.counters,
    creditsUsed: session.counters.creditsUsed,
    durationMs: now - Date.parse(session.createdAt),
    startedBy: session.startedBy,
    ...(session.slack ? { slack: session.slack } : {}),
  };
}

export function progressDetail(session: SessionRecord, now: number) {
  return { ...baseDetail(session, now), pausedUntil: session.pausedUntil };
}

export function workflowDetail(
  session: SessionRecord,
  now: number,
  failedSymbols: FailedSymbol[],
  coverage?: CoverageFigures,
) {
  // The same id however often the event is published, so a consumer can tell a re-publication from a new event.
  const detail: Record<string, unknown> = {
    ...baseDetail(session, now),
    eventId: `${session.sessionId}/final`,
    failedSymbols,
    ...(coverage ? { coverage } : {}),
  };
  if (session.status !== "completed") {
    const cancelled = session.status === "cancelled";
    detail.failureStep = cancelled ? "cancelled" : session.counters.batchesFailed > 0 ? "processing" : "session";
    detail.error =
      session.error ??
      (cancelled
        ? `cancelled${session.cancelledBy ? ` by ${session.cancelledBy}` : ""}`
        : `${session.counters.batchesFailed} of ${session.totalBatches} batches failed after every retry`);
    detail.nextAction = `dq retry ${session.sessionId}  (or /dq retry ${session.sessionId} in Slack) re-runs the failed and errored symbols`;
  }
  return detail;
}
