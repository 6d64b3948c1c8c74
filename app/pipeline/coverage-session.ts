import { UserFacingError } from "../domain/errors.ts";
import type { PipelineContext } from "./context.ts";
import { MetricName } from "./context.ts";
import {
  type CoverageFigures,
  coverageFigures,
  dailyCapacity,
  describeCoverage,
  nextState,
  requiredLookbackDays,
  rotationLength,
  type SymbolCoverage,
  selectSlice,
  universeKey,
} from "./coverage.ts";
import type { CoverageParams, SessionRecord, StoredResult } from "./model.ts";

/** A daily session in coverage mode found nothing of the day's credits left for its slice. */
export class NoCreditsTodayError extends UserFacingError {
  override name = "NoCreditsTodayError";
}

const DAY_MS = 86_400_000;
/** How many recent sessions are looked at for running ones (the overlap rule, the credits they still need). */
const RECENT = 25;

/**
 * How long a universe's coverage items live: twice the calendar span of a rotation, plus two weeks, so a state is
 * never gone before the symbol's next check, even after a missed week.
 */
export function coverageKeepUntil(now: number, rotation: number): number {
  return now + (2 * requiredLookbackDays(Math.min(rotation, 1_000)) + 14) * DAY_MS;
}

/**
 * At the start of a session over the configured universe: opens the universe's next round, keeps its figures
 * (and counts the overdue symbols for the alarm), and picks the symbols to check. A universe the plan checks in a
 * day is checked whole, as before; a larger one gets a slice of the day's credits left, by priority (selectSlice).
 */
export async function planCoverage(
  ctx: PipelineContext,
  args: { sessionId: string; universe: readonly string[]; datalake: string; lookbackDays: number; now: number },
): Promise<{ symbols: string[]; coverage?: CoverageParams }> {
  const store = ctx.coverage;
  if (!store) return { symbols: [...args.universe] };
  const { settings } = ctx;
  const capacity = dailyCapacity(settings);
  const size = args.universe.length;
  const mode = size > capacity ? "rotation" : "full";
  const universe = universeKey(args.datalake);
  const at = new Date(args.now).toISOString();
  // A start delivered again takes the slice its first delivery was given (it may have reserved credits since).
  const opened = await store.getRound(universe);
  const again = opened?.sessionId === args.sessionId ? opened.budget : undefined;
  // The budget before the round: a start that cannot check anything today counts no round.
  const budget =
    again ?? (mode === "rotation" ? await creditsLeftToday(ctx, args.sessionId, capacity, args.now) : size);
  if (budget <= 0)
    throw new NoCreditsTodayError(
      `no credits left today for the coverage slice (${capacity} a day, spent or held by running sessions); the next daily run takes its share`,
    );
  const members = new Set(args.universe);
  const states = new Map<string, SymbolCoverage>();
  const gone: string[] = [];
  let retried = 0;
  for (const state of await store.listStates(universe)) {
    if (!members.has(state.symbol)) gone.push(state.symbol);
    else {
      states.set(state.symbol, state);
      if (state.outcome !== "pass") retried++;
    }
  }
  // Failures are checked again every day, so they shorten what is left of each day for the rest.
  const rotation = rotationLength(size, capacity, retried);
  const round = await store.openRound(universe, args.sessionId, at, coverageKeepUntil(args.now, rotation), budget);
  // Symbols that left the universe stop counting (and stop being checked) at once, not when their TTL runs out.
  if (gone.length > 0) await store.removeStates(universe, gone, args.now);
  const figures = coverageFigures({
    size,
    states: states.values(),
    round: round.round,
    firstRound: round.firstRound,
    rotation,
    lookbackDays: args.lookbackDays,
    at,
  });
  await store.saveFigures(universe, figures);
  report(ctx, figures);
  // Two deliveries of one start racing to open the round both use the budget of the one that opened it.
  const slice = mode === "rotation" ? selectSlice(args.universe, states, round.budget ?? budget) : undefined;
  ctx.log.info("coverage round opened", {
    sessionId: args.sessionId,
    universe,
    round: round.round,
    mode,
    rotation,
    ...(slice ? { slice: { ...slice, symbols: slice.symbols.length } } : {}),
    coverage: describeCoverage(figures),
  });
  return {
    symbols: slice ? slice.symbols : [...args.universe],
    coverage: { universe, round: round.round, universeSize: size, rotation, mode },
  };
}

/**
 * When a session over the universe ends (completed, failed or cancelled): its results become the symbols' states,
 * and the universe's figures are taken again, as the next daily session will find them. Idempotent (states are
 * replaced whole), so a redelivered finalize may run it again. Returns the figures, for the final event.
 */
export async function recordCoverage(
  ctx: PipelineContext,
  session: SessionRecord,
): Promise<CoverageFigures | undefined> {
  const store = ctx.coverage;
  const params = session.params.coverage;
  if (!store || !params) return undefined;
  const { universe, round, universeSize, rotation } = params;
  const states = new Map((await store.listStates(universe)).map((s) => [s.symbol, s]));
  const changed: SymbolCoverage[] = [];
  for (const result of await allResults(ctx, session.sessionId)) {
    const previous = states.get(result.symbol);
    // A later round's check stands (a retry that ends after the next daily session checked the symbol again).
    if (previous && previous.round > round) continue;
    const state = nextState(
      previous,
      { ...result, lastReferenceDate: result.metrics?.lastReferenceDate ?? null },
      round,
      session.sessionId,
    );
    states.set(state.symbol, state);
    changed.push(state);
  }
  const now = ctx.clock();
  await store.putStates(universe, changed, coverageKeepUntil(now, rotation));
  const current = await store.getRound(universe);
  // As the next daily session will see them: one round on from the latest.
  const figures = coverageFigures({
    size: universeSize,
    states: states.values(),
    round: (current?.round ?? round) + 1,
    firstRound: current?.firstRound ?? 1,
    rotation,
    lookbackDays: session.params.lookbackDays,
    at: new Date(now).toISOString(),
  });
  await store.saveFigures(universe, figures);
  return figures;
}

/** The universe's figures as last taken, for `dq status` and `/dq status`. */
export async function currentCoverage(
  ctx: PipelineContext,
  params: CoverageParams | undefined,
): Promise<CoverageFigures | undefined> {
  if (!ctx.coverage || !params) return undefined;
  return (await ctx.coverage.getRound(params.universe))?.figures;
}

/**
 * The overlap rule: two scheduled sessions over the universe never run at once. A scheduled start that finds an
 * earlier one still running (paused at the day cap, or slowed by another program on the key) replaces it: the earlier
 * one is cancelled, what it checked counts towards coverage, and what it did not is due again, so the new session
 * (with today's as-of) takes it first among the oldest.
 */
export async function replaceRunningScheduled(
  ctx: PipelineContext,
  sessionId: string,
  finalize: (session: SessionRecord, error: string) => Promise<void>,
): Promise<string[]> {
  const { items } = await ctx.store.listSessions(RECENT);
  const replaced: string[] = [];
  for (const session of items) {
    if (session.sessionId === sessionId || session.status !== "running") continue;
    if (session.startedBy.kind !== "schedule" || !session.params.coverage) continue;
    await finalize(session, `replaced by the scheduled session ${sessionId}`);
    replaced.push(session.sessionId);
  }
  if (replaced.length > 0) ctx.log.warn("a scheduled session replaced the one still running", { sessionId, replaced });
  return replaced;
}

/**
 * What today's slice may spend: the day's capacity less what the UTC day has counted already and what other
 * running sessions still have to check (held back for them, so the slice never pushes a session into tomorrow).
 */
async function creditsLeftToday(ctx: PipelineContext, sessionId: string, capacity: number, now: number) {
  const usage = await ctx.ledger.usage(now);
  const { items } = await ctx.store.listSessions(RECENT);
  let held = 0;
  for (const s of items) {
    if (s.sessionId === sessionId || s.status !== "running") continue;
    held += Math.max(0, s.totalSymbols - s.counters.passed - s.counters.failed - s.counters.errored);
  }
  return capacity - (usage.dayUsed ?? 0) - held;
}

function report(ctx: PipelineContext, figures: CoverageFigures): void {
  ctx.metrics.count(MetricName.coverageOverdue, figures.overdue);
  if (figures.lookbackWarning) ctx.log.warn("coverage: lookback too short", { warning: figures.lookbackWarning });
  if (figures.overdue > 0)
    ctx.log.warn("coverage: symbols verified longer ago than the rotation allows", {
      overdue: figures.overdue,
      rotation: figures.rotation,
      coverage: describeCoverage(figures),
    });
}

async function allResults(ctx: PipelineContext, sessionId: string): Promise<StoredResult[]> {
  const out: StoredResult[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listResults(sessionId, { limit: 1_000, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}
