import { z } from "zod";
import { MAX_LOOKBACK_DAYS } from "../config/config.ts";
import { UserFacingError } from "../domain/errors.ts";
import { isValidSymbol } from "../domain/symbol.ts";
import { FUNCTIONS } from "../wiring.ts";
import type { PipelineContext } from "./context.ts";
import { MetricName } from "./context.ts";
import { NoCreditsTodayError, planCoverage, replaceRunningScheduled } from "./coverage-session.ts";
import { finalize } from "./finalize.ts";
import {
  type BatchRecord,
  type CoverageParams,
  emptyCounters,
  keepOf,
  type SessionRecord,
  type StartedBy,
} from "./model.ts";
import { checkOverdueSessions } from "./overdue.ts";
import { estimateDurationMs, planBatches, sessionBoundMs, sessionIdFor } from "./planning.ts";
import { pump } from "./pump.ts";
import { resolveUniverse } from "./universe.ts";

/** Bad coordinator input: one line naming the field, and nothing was created. */
export class StartInputError extends UserFacingError {
  override name = "StartInputError";
}

export const MAX_SYMBOLS = 20_000;
export { MAX_LOOKBACK_DAYS };

const StartedBySchema = z.strictObject({
  kind: z.enum(["schedule", "slack", "cli", "retry"]),
  user: z.string().max(64).optional(),
  channel: z.string().max(64).optional(),
});

const SymbolSchema = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .refine(isValidSymbol, { error: (issue) => `invalid symbol ${JSON.stringify(String(issue.input).slice(0, 40))}` });

/** The coordinator's input; `lookback_days` is the payload of the system dq replaces. */
export const StartInputSchema = z
  .strictObject({
    symbols: z.array(SymbolSchema).max(MAX_SYMBOLS, `at most ${MAX_SYMBOLS} symbols per session`).optional(),
    datalake: z.string().min(1).max(1024).includes("{symbol}", { error: "datalake must contain {symbol}" }).optional(),
    lookbackDays: z.number().int().min(1).max(MAX_LOOKBACK_DAYS).optional(),
    lookback_days: z.number().int().min(1).max(MAX_LOOKBACK_DAYS).optional(),
    asOf: z.iso.datetime({ offset: true }).optional(),
    startedBy: StartedBySchema.optional(),
    correlationId: z.string().min(1).max(128).optional(),
    idempotencyKey: z.string().min(1).max(256).optional(),
    retryOf: z.string().min(1).max(64).optional(),
    /** Re-run the failed and errored symbols of this session (the coordinator collects them). */
    retry: z.string().min(1).max(64).optional(),
    slack: z.strictObject({ channel: z.string().max(64), ts: z.string().max(64) }).optional(),
  })
  .refine(
    (v) => !(v.lookbackDays !== undefined && v.lookback_days !== undefined && v.lookbackDays !== v.lookback_days),
    {
      error: "lookbackDays and lookback_days disagree",
    },
  );
export type StartInput = z.input<typeof StartInputSchema>;

export interface StartDefaults {
  datalake: string;
  lookbackDays: number;
  denySymbols?: readonly string[];
  /** Symbols checked when the input names none (besides the datalake's listing). */
  symbols?: readonly string[];
  /**
   * `auto`: a session over the universe is a coverage round (a universe larger than the plan's day is checked in
   * rotation); `off`: every such session checks the whole universe, and nothing is recorded. @default "auto"
   */
  coverage?: "auto" | "off";
}

export interface StartResult {
  status: "initiated" | "duplicate";
  sessionId: string;
  correlationId: string;
  totalSymbols: number;
  totalBatches: number;
  estimatedDurationMinutes: number;
  /** A session over the universe: its round, and whether it checks the universe whole or today's slice of it. */
  coverage?: CoverageParams;
}

export function parseStartInput(raw: unknown): z.output<typeof StartInputSchema> {
  const parsed = StartInputSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    throw new StartInputError(`bad start request: ${where}${first?.message ?? "invalid input"}`);
  }
  return parsed.data;
}

/**
 * Resolves the universe, writes the batches and then the session, and runs the pump. The same idempotency key
 * always maps to the same session id, and the session is created with a conditional write: never two sessions.
 */
export async function startSession(ctx: PipelineContext, raw: unknown, defaults: StartDefaults): Promise<StartResult> {
  const input = parseStartInput(raw);
  const now = ctx.clock();
  const sessionId = sessionIdFor(input.idempotencyKey, now);
  const shape = {
    windowMs: ctx.settings.windowMs,
    marginMs: ctx.settings.marginMs,
    creditsPerWindow: ctx.settings.creditsPerWindow,
    batchSize: ctx.settings.batchSize,
  };
  if (input.idempotencyKey) {
    const existing = await ctx.store.getSession(sessionId);
    if (existing) return duplicate(ctx, existing, shape);
  }

  const datalakeUri = input.datalake ?? defaults.datalake;
  const datalake = ctx.datalakeFor(datalakeUri);
  const startedBy: StartedBy = input.startedBy ?? { kind: "cli" };
  const lookbackDays = input.lookbackDays ?? input.lookback_days ?? defaults.lookbackDays;
  let symbols: string[];
  try {
    const explicit = input.symbols ?? (defaults.symbols?.length ? [...defaults.symbols] : undefined);
    symbols = await resolveUniverse({ explicit, datalake, useListing: !explicit, deny: defaults.denySymbols });
  } catch (error) {
    throw new StartInputError((error as Error).message, { cause: error });
  }
  if (symbols.length > MAX_SYMBOLS)
    throw new StartInputError(`the universe has ${symbols.length} symbols; at most ${MAX_SYMBOLS} per session`);

  // A session over the configured universe (no symbols named, not a retry) is a round of the universe's coverage:
  // checked whole when the plan's day holds it, else today's slice. A retry records under the round it retries.
  let coverage: CoverageParams | undefined;
  if (input.symbols === undefined && !input.retryOf && defaults.coverage !== "off") {
    if (startedBy.kind === "schedule")
      await replaceRunningScheduled(ctx, sessionId, (running, error) =>
        finalize(ctx, running, { status: "cancelled", error, cancelledBy: "schedule" }),
      );
    try {
      ({ symbols, coverage } = await planCoverage(ctx, {
        sessionId,
        universe: symbols,
        datalake: datalakeUri,
        lookbackDays,
        now,
      }));
    } catch (error) {
      if (error instanceof NoCreditsTodayError) throw new StartInputError(error.message, { cause: error });
      throw error;
    }
  } else if (input.retryOf) {
    coverage = (await ctx.store.getSession(input.retryOf))?.params.coverage;
  }

  const planned = planBatches(symbols, ctx.settings.batchSize);
  const batches: BatchRecord[] = planned.map((group, i) => ({
    sessionId,
    batch: i + 1,
    symbols: group,
    status: "pending",
    attempt: 0,
    providerFailures: 0,
  }));
  const session: SessionRecord = {
    sessionId,
    correlationId: input.correlationId ?? sessionId,
    status: "running",
    params: {
      datalake: datalakeUri,
      lookbackDays,
      asOf: input.asOf ? new Date(input.asOf).toISOString() : new Date(now).toISOString(),
      batchSize: ctx.settings.batchSize,
      ...(input.retryOf ? { retryOf: input.retryOf } : {}),
      ...(coverage ? { coverage } : {}),
    },
    totalSymbols: symbols.length,
    totalBatches: batches.length,
    counters: emptyCounters(),
    createdAt: new Date(now).toISOString(),
    dueAt: new Date(
      now + sessionBoundMs(symbols.length, batches.length, shape, ctx.settings.creditsPerDay),
    ).toISOString(),
    startedBy,
    ...(input.slack ? { slack: input.slack } : {}),
  };
  // Before anything exists, a pump message that arrives once this invocation has finished or died: if the pump
  // below fails and nobody retries this start (a synchronous `dq run`), it still wakes the session.
  await ctx.queue.send({ type: "pump", sessionId }, FUNCTIONS.coordinator.timeoutSeconds + 30);
  // Batches first: a session item is only ever visible with all of its batches in place.
  const keep = keepOf(session);
  await ctx.store.putBatches(batches, keep);
  if (!(await ctx.store.createSession(session, keep))) {
    const existing = await ctx.store.getSession(sessionId);
    if (existing) return duplicate(ctx, existing, shape);
  }
  ctx.metrics.count(MetricName.sessionsStarted, 1);
  if (startedBy.kind === "schedule") await checkOverdueSessions(ctx);
  ctx.log.info("session started", {
    sessionId,
    correlationId: session.correlationId,
    symbols: symbols.length,
    batches: batches.length,
  });
  await pump(ctx, sessionId);
  return describe(session, "initiated", shape);
}

/**
 * The start was made before (Lambda retries an asynchronous invocation whose first attempt failed, and may
 * deliver one twice): the same session, pumped once more in case the first attempt failed after creating it.
 */
async function duplicate(
  ctx: PipelineContext,
  existing: SessionRecord,
  shape: Parameters<typeof estimateDurationMs>[1],
): Promise<StartResult> {
  if (existing.status === "running") await pump(ctx, existing.sessionId);
  return describe(existing, "duplicate", shape);
}

function describe(
  session: SessionRecord,
  status: StartResult["status"],
  shape: Parameters<typeof estimateDurationMs>[1],
): StartResult {
  return {
    status,
    sessionId: session.sessionId,
    correlationId: session.correlationId,
    totalSymbols: session.totalSymbols,
    totalBatches: session.totalBatches,
    estimatedDurationMinutes: Math.round((estimateDurationMs(session.totalBatches, shape) / 60_000) * 10) / 10,
    ...(session.params.coverage ? { coverage: session.params.coverage } : {}),
  };
}
