import { errorResult } from "../quality/check-symbol.ts";
import type { PipelineContext } from "./context.ts";
import { countAndMaybeFinalize } from "./finalize.ts";
import { keepOf } from "./model.ts";
import type { WorkMessage } from "./ports.ts";
import { deltaFor, summarize, toStored } from "./process-batch.ts";
import { pump } from "./pump.ts";

/**
 * A message that exhausted its receives. For a batch: mark it failed, give its symbols `error` results where they
 * have none, count it, so the session still finishes. For a pump message: pump once more, so liveness never
 * depends on it.
 */
export async function handleDeadLetter(ctx: PipelineContext, message: WorkMessage, reason: string): Promise<void> {
  if (message.type === "pump") {
    await pump(ctx, message.sessionId);
    return;
  }
  const { sessionId, batch: n } = message;
  const batch = await ctx.store.getBatch(sessionId, n);
  if (!batch) return;
  if (batch.status === "done" || batch.status === "failed") {
    await countAndMaybeFinalize(ctx, sessionId, n, deltaFor(batch));
    return;
  }
  // Only the attempt this message was sent for: a batch re-queued since then is somebody else's now.
  if (batch.attempt !== message.attempt) return;
  const session = await ctx.store.getSession(sessionId);
  const now = new Date(ctx.clock()).toISOString();
  const error = `batch ${n} dead-lettered after repeated failures: ${reason}`;
  await ctx.store.putResultsIfAbsent(
    batch.symbols.map((s) => toStored(sessionId, n, errorResult(s, "internal", error), now)),
    session ? keepOf(session) : {},
  );
  const results = await ctx.store.getResults(sessionId, batch.symbols);
  const failed = await ctx.store.finishBatch(
    sessionId,
    n,
    message.attempt,
    { status: "failed", finishedAt: now, error, outcome: summarize(results, 0) },
    ["pending", "queued", "processing"],
  );
  // Logged before it is counted: counting may end the session, and whoever reads the log after the end must find
  // why a batch failed (the reliability suite read it too early, under load, when this came last).
  ctx.log.error("batch dead-lettered", { sessionId, batch: n, reason });
  const settled = failed ?? (await ctx.store.getBatch(sessionId, n));
  if (settled && (settled.status === "failed" || settled.status === "done")) {
    await countAndMaybeFinalize(ctx, sessionId, n, deltaFor(settled));
  }
  await pump(ctx, sessionId);
}
