import { lowerBoundMs } from "../app/pipeline/planning.ts";
import { type PhaseUsage, type PlanShape, startBenchStack } from "./bench-stack.ts";
import { CHAINED_BATCH_SIZE, type ChainOutcome, runChained } from "./chained.ts";
import { costOf, countsOf, type PhaseCost, type PhaseCounts } from "./cost.ts";
import { activeDays, batchProcessingTimes, runDqSessions } from "./dq-phase.ts";
import { median, quantile, round, slotArrivals } from "./stats.ts";
import { surveyTable } from "./table-scan.ts";
import { createBenchUniverse } from "./universe.ts";

export interface PipelineScenario {
  name: string;
  title: string;
  /** Symbols per session; overlapping sessions get disjoint universes. */
  symbols: number;
  shape: PlanShape;
  /** @default 1 */
  sessions?: number;
  /** Each next session starts this many windows after the previous one. @default 0 */
  sessionOffsetWindows?: number;
  /** Links the chained design runs per chain before the rest is extrapolated. */
  chainedMaxLinks: number;
  /** Why these settings. */
  notes?: string;
}

/** The zero counts and ratios a CI run guards, and what the report tables show. */
export interface DesignFigures {
  makespanMs: number;
  lowerBoundMs: number;
  ratio: number;
  rateLimited: number;
  creditsPerSymbol: number;
  repeatedSymbols: number;
  lostResults: number;
  /** The most credits the emulator accepted within any rolling window (the plan allows creditsPerWindow). */
  maxCreditsInAnyWindow: number;
  /** The requests as the provider saw them arrive, grouped into slots (bench/stats.ts slotArrivals). */
  arrivals: ReturnType<typeof slotArrivals>;
  counts: PhaseCounts;
  perSymbol: {
    dynamoReads: number;
    dynamoWrites: number;
    sqsSends: number;
    sqsReceives: number;
    eventBridgeEvents: number;
    lambdaInvocations: number;
  };
  cost: PhaseCost;
  costPer1000Symbols: number;
}

export interface ScenarioResult {
  name: string;
  title: string;
  notes?: string;
  symbols: number;
  sessions: number;
  shape: PlanShape;
  dq: DesignFigures & {
    coordinatorMs: number[];
    batchProcessingMs: { p50: number; p90: number; max: number; batches: number };
    /** Credit slots of W + margin the run needed vs ceil(N / C), and the margin's share of the lower bound. */
    slotsUsed: number;
    slotsMinimum: number;
    marginShare: number;
    largestItem: { kind: string; bytes: number };
    largestByKind: Record<string, number>;
    pauses: string[];
    days: { activeMs: number; symbols: number }[];
    warnings: number;
    errors: number;
    /** Processor containers the run needed (Lambda cold starts). */
    processorColdStarts: number;
  };
  chained: DesignFigures & { linksRun: number; linksTotal: number; extrapolated: boolean; linkProcessingMs: number };
  wallSeconds: number;
}

/**
 * One scenario end to end on a fresh local stack: dq's sessions, then, after one quiet window, the chained design
 * on the same stack and emulator. Every figure comes from this run.
 */
export async function runPipelineScenario(
  scenario: PipelineScenario,
  progress: (line: string) => void = () => {},
  /** The instant the scenario's clock and as-of start at (tests pin it). @default now */
  startAt: Date = new Date(),
): Promise<ScenarioResult> {
  const wallStart = Date.now();
  const sessions = scenario.sessions ?? 1;
  const total = scenario.symbols * sessions;
  const { shape } = scenario;
  const windowMs = shape.windowSeconds * 1000;
  progress(`${scenario.name}: generating ${total} symbols`);
  const universe = await createBenchUniverse(total, startAt);
  const b = await startBenchStack(universe, shape);
  try {
    const universes = Array.from({ length: sessions }, (_, i) =>
      universe.sample.symbols.slice(i * scenario.symbols, (i + 1) * scenario.symbols),
    );
    const offsetMs = (scenario.sessionOffsetWindows ?? 0) * windowMs;

    progress(
      `${scenario.name}: dq, ${sessions} session(s) of ${scenario.symbols} at ${shape.creditsPerWindow} per ${shape.windowSeconds} s`,
    );
    b.beginPhase();
    const dq = await runDqSessions(
      b,
      universes.map((symbols, i) => ({ symbols, offsetMs: i * offsetMs })),
    );
    const dqUsage = b.endPhase();
    const processorColdStarts = b.processorContainers.created;
    const survey = await surveyTable(b.stack.endpoints.dynamodb ?? "", b.stack.names.table);
    const processing = batchProcessingTimes(survey.batches);
    const p = median(processing);
    const days = activeDays(dq, survey.batches);
    const activeMs = days.reduce((n, d) => n + d.activeMs, 0);
    const lowerBound = days.reduce((n, d) => n + lowerBoundMs(d.symbols, shape.creditsPerWindow, windowMs, p), 0);
    const lost = dq.sessions.reduce(
      (n, s) => n + s.final.totalSymbols - (survey.resultsBySession[s.started.sessionId] ?? 0),
      0,
    );
    const perSlot = Math.max(1, Math.floor(shape.creditsPerWindow / shape.batchSize));
    const slotsPlanned = days.reduce((n, d) => n + Math.ceil(Math.ceil(d.symbols / shape.batchSize) / perSlot), 0);
    // The slots the batches were finally spent in, and the batches that had to be reserved again.
    const slotsUsed = new Set(survey.batches.map((t) => t.slotStart)).size;
    const requeuedBatches = survey.batches.filter((t) => t.attempt > 1).length;
    const outcomes = [...b.outcomes].map(([k, v]) => `${k} ${v}`).join(", ");
    progress(
      `${scenario.name}: ${slotsUsed} slots used (${slotsPlanned} planned), ${requeuedBatches} batches re-reserved; ${outcomes}`,
    );
    progress(`${scenario.name}: beyond the slots, ${timeBeyondSlots(dq, survey.batches)}`);
    const slotsMinimum = days.reduce((n, d) => n + Math.ceil(d.symbols / shape.creditsPerWindow), 0);
    const marginMs = b.stack.runtime.ctx.settings.marginMs;
    const dqFigures = figures(windowMs, dqUsage, total, activeMs, lowerBound, lost);
    progress(
      `${scenario.name}: dq ratio ${dqFigures.ratio} (${round(activeMs / 1000, 1)} s), 429s ${dqFigures.rateLimited}`,
    );

    // One quiet window, so the chained design starts with the provider's rolling window empty.
    await new Promise((r) => setTimeout(r, windowMs + 200));
    progress(`${scenario.name}: chained design, up to ${scenario.chainedMaxLinks} links per chain`);
    b.beginPhase();
    const chains = await runChained(
      b,
      universes.map((symbols, i) => ({ symbols, offsetMs: i * offsetMs })),
      scenario.chainedMaxLinks,
    );
    const chainedUsage = b.endPhase();
    const chained = chainedFigures(chains, chainedUsage, lowerBound, windowMs);
    progress(`${scenario.name}: chained ratio ${chained.ratio}${chained.extrapolated ? " (extrapolated)" : ""}`);

    return {
      name: scenario.name,
      title: scenario.title,
      ...(scenario.notes ? { notes: scenario.notes } : {}),
      symbols: total,
      sessions,
      shape,
      dq: {
        ...dqFigures,
        coordinatorMs: dq.sessions.map((s) => round(s.started.coordinatorMs, 1)),
        batchProcessingMs: {
          p50: round(p, 1),
          p90: round(quantile(processing, 0.9), 1),
          max: round(Math.max(...processing), 1),
          batches: processing.length,
        },
        slotsUsed,
        slotsMinimum,
        marginShare: round(((slotsUsed - days.length) * marginMs) / lowerBound, 4),
        largestItem: survey.largest,
        largestByKind: survey.largestByKind,
        pauses: dq.pauses,
        days: days.map((d) => ({ activeMs: round(d.activeMs, 0), symbols: d.symbols })),
        warnings: dqUsage.warnings,
        errors: dqUsage.errors,
        processorColdStarts,
      },
      chained,
      wallSeconds: round((Date.now() - wallStart) / 1000, 1),
    };
  } finally {
    await b.stop();
    universe.dispose();
  }
}

function figures(
  windowMs: number,
  usage: PhaseUsage,
  symbols: number,
  makespanMs: number,
  lowerBound: number,
  lost: number,
): DesignFigures {
  const counts = countsOf(usage);
  const cost = costOf(counts);
  const invocations = Object.values(counts.lambdaInvocations).reduce((n, v) => n + (v ?? 0), 0);
  const per = (n: number) => round(n / symbols, 3);
  return {
    makespanMs: round(makespanMs, 0),
    lowerBoundMs: round(lowerBound, 0),
    ratio: round(makespanMs / lowerBound, 4),
    rateLimited: usage.provider.rateLimited,
    creditsPerSymbol: round(usage.provider.credits / symbols, 4),
    repeatedSymbols: usage.provider.repeatedSymbols.length,
    lostResults: lost,
    maxCreditsInAnyWindow: usage.provider.maxCreditsInAnyWindow,
    arrivals: slotArrivals(usage.provider.chargedAt, windowMs),
    counts,
    perSymbol: {
      dynamoReads: per(counts.dynamoReads),
      dynamoWrites: per(counts.dynamoWrites),
      sqsSends: per(counts.sqsSends),
      sqsReceives: per(counts.sqsReceives),
      eventBridgeEvents: per(counts.eventBridgeEvents),
      lambdaInvocations: per(invocations),
    },
    cost,
    costPer1000Symbols: (cost.total / symbols) * 1000,
  };
}

/**
 * The chained design's figures over the links it ran; a chain cut short at maxLinks is extrapolated linearly
 * from its measured period (finish to finish), and its cost scaled by links total / links run.
 */
function chainedFigures(chains: readonly ChainOutcome[], usage: PhaseUsage, lowerBound: number, windowMs: number) {
  const first = Math.min(...chains.map((c) => c.startedAt));
  let end = 0;
  let extrapolated = false;
  for (const c of chains) {
    const ends = c.linkEnds;
    const last = ends[ends.length - 1] as number;
    if (c.linksRun >= c.linksTotal) {
      end = Math.max(end, last);
      continue;
    }
    extrapolated = true;
    const period = (last - (ends[0] as number)) / Math.max(1, ends.length - 1);
    end = Math.max(end, last + (c.linksTotal - c.linksRun) * period);
  }
  const symbolsRun = chains.reduce((n, c) => n + Math.min(c.symbols, c.linksRun * CHAINED_BATCH_SIZE), 0);
  const lost = chains.reduce((n, c) => n + c.lostSymbols, 0);
  const base = figures(windowMs, usage, symbolsRun, end - first, lowerBound, lost);
  const linksRun = chains.reduce((n, c) => n + c.linksRun, 0);
  const linksTotal = chains.reduce((n, c) => n + c.linksTotal, 0);
  const scale = linksTotal / linksRun;
  const c = base.cost;
  const cost: PhaseCost = {
    dynamo: c.dynamo * scale,
    sqs: c.sqs * scale,
    eventBridge: c.eventBridge * scale,
    scheduler: c.scheduler * scale,
    lambda: c.lambda * scale,
    total: c.total * scale,
  };
  return {
    ...base,
    cost,
    linksRun,
    linksTotal,
    extrapolated,
    linkProcessingMs: round(median(chains.flatMap((c) => c.linkProcessingMs)), 1),
  };
}

/**
 * Where a run's time goes beside its slots: from the start to the first slot (the coordinator's plan and first
 * reservation), from the last slot's start to its last result, and from there to the final event.
 */
function timeBeyondSlots(
  dq: { startedAt: number; sessions: { final: { finishedAt?: string } }[] },
  batches: readonly { slotStart?: number; finishedAt?: number }[],
): string {
  const slots = batches.flatMap((t) => (t.slotStart === undefined ? [] : [t.slotStart]));
  const finished = batches.flatMap((t) => (t.finishedAt === undefined ? [] : [t.finishedAt]));
  if (slots.length === 0 || finished.length === 0) return "no batch finished";
  const lastResult = Math.max(...finished);
  const final = Math.max(...dq.sessions.map((s) => Date.parse(s.final.finishedAt ?? "")));
  const first = Math.min(...slots);
  return [
    `start to first slot ${first - dq.startedAt} ms`,
    `${slots.filter((s) => s === first).length} batches in the first slot`,
    `last slot to its last result ${lastResult - Math.max(...slots)} ms`,
    `last result to the final event ${final - lastResult} ms`,
  ].join(", ");
}
