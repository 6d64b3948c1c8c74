import { daysBetween } from "../app/calendar/iso-date.ts";
import { type CoverageFigures, requiredLookbackDays, universeKey } from "../app/pipeline/coverage.ts";
import type { SessionRecord, StoredResult } from "../app/pipeline/model.ts";
import { Simulation } from "./engine.ts";
import { FaultPlan, NO_FAULTS } from "./faults.ts";
import { checkInvariants, type Violation } from "./invariants.ts";
import { Random } from "./random.ts";
import type { Scenario } from "./scenario.ts";
import { SimWorld } from "./world.ts";

const DAY_MS = 86_400_000;
const DATALAKE = "sim://datalake/{symbol}.csv";

/**
 * Coverage mode over simulated weeks: one universe larger than the plan's day, the daily schedule (04:30 UTC,
 * Tuesday to Saturday, as infra deploys it) starting a session over it every run, and the real handlers on the
 * simulation's in-memory ports, virtual clock and provider (which enforces the plan per minute and per UTC day).
 */
export interface CoverageRunOptions {
  seed?: number;
  symbols: number;
  creditsPerMinute: number;
  creditsPerDay: number;
  /** Daily runs (five a week). */
  runs: number;
  lookbackDays: number;
  /** Every n-th symbol has a defect in the datalake, so it fails every check. @default 97 */
  defectEvery?: number;
  /** Per datalake read: a failure that leaves the symbol `error` (could not be checked). @default 0.002 */
  datalakeFailureRate?: number;
  /** The first run's day (a Tuesday, UTC). @default 2025-03-04 */
  firstDay?: string;
}

export interface DailyRun {
  day: string;
  sessionId: string;
  round: number;
  status: string;
  symbols: number;
  passed: number;
  failed: number;
  errored: number;
  /** Minutes from the start to the end of the session. */
  minutes: number;
  /** Credits the provider charged dq in the run's UTC day. */
  creditsCharged: number;
}

export interface CoverageRunReport {
  options: Required<CoverageRunOptions>;
  runs: DailyRun[];
  /** ceil(symbols / credits a day). */
  plannedRotation: number;
  /** The rotation the last session stated: the planned one, lengthened by the failures each day checks again. */
  rotation: number;
  /** The run after which every symbol had been checked at least once (null if never). */
  coveredAfterRun: number | null;
  /**
   * Daily runs between two checks of a passing symbol, after the first full coverage: the longest, and the p50 (a
   * check that could not run in between is counted apart, in lateAfterError).
   */
  rotationMax: number;
  rotationP50: number;
  /** The longest once a whole rotation has passed since coverage was reached (the steady state). */
  rotationSteadyMax: number;
  /** Checks of a symbol whose previous check could not run (a datalake read failed): gaps the next day's retry made. */
  lateAfterError: { count: number; maxGap: number };
  /** The most credits the provider charged dq in one UTC day, and the plan's day. */
  maxCreditsPerDay: number;
  /** Pairs of sessions over the universe that ran at the same time. */
  overlappingSessions: number;
  /** Symbols that failed or errored in a run and were checked again in the next run, of all such symbols. */
  rechecked: { next: number; of: number };
  /** The lookback the rotation needs, and the checks whose window left bars since the previous check unverified. */
  requiredLookbackDays: number;
  unverifiedGaps: number;
  figures: CoverageFigures | undefined;
  violations: Violation[];
  simulatedDays: number;
  wallMs: number;
}

export async function runCoverage(input: CoverageRunOptions): Promise<CoverageRunReport> {
  const wallStart = performance.now();
  const options: Required<CoverageRunOptions> = {
    seed: 1,
    defectEvery: 97,
    datalakeFailureRate: 0.002,
    firstDay: "2025-03-04",
    ...input,
  };
  const universe = Array.from({ length: options.symbols }, (_, i) => `C${String(i).padStart(5, "0")}`);
  const firstRun = Date.parse(`${options.firstDay}T04:30:00Z`);
  const scenario: Scenario = {
    seed: options.seed,
    profile: "coverage",
    start: firstRun - 60_000,
    creditsPerMinute: options.creditsPerMinute,
    creditsPerDay: options.creditsPerDay,
    batchSize: Math.min(options.creditsPerMinute, 8),
    // Results kept through the run, so the report can read every check.
    retentionDays: Math.ceil((options.runs * 7) / 5) + 14,
    stacks: 1,
    processorConcurrency: 2,
    processorTimeoutSeconds: 60,
    // The universe the datalake lists (the runner starts the sessions itself).
    sessions: [{ at: 0, stack: 0, trigger: "schedule", symbols: universe, retry: false }],
    faults: { ...NO_FAULTS, maxSkewMs: 20 },
    provider: { partialAnswers: true, outageRate: 0, timeoutRate: 0 },
    datalakeFailureRate: options.datalakeFailureRate,
    defective: universe.filter((_, i) => i % options.defectEvery === options.defectEvery - 1),
    coverage: { lookbackDays: options.lookbackDays },
  };
  const sim = new Simulation(scenario.start);
  const random = new Random(options.seed);
  const world = new SimWorld(
    sim,
    random.fork("world"),
    new FaultPlan(random.fork("faults"), scenario.faults),
    scenario,
    false,
  );
  const stack = world.stacks[0];
  if (!stack) throw new Error("no stack");

  const days: string[] = [];
  for (let t = firstRun; days.length < options.runs; t += DAY_MS) {
    const weekday = new Date(t).getUTCDay();
    // cron(30 4 ? * TUE-SAT *): after each US session.
    if (weekday === 0 || weekday === 1) continue;
    const day = new Date(t).toISOString().slice(0, 10);
    days.push(day);
    sim.at(t, () => stack.start({ startedBy: { kind: "schedule" }, idempotencyKey: `daily-${day}` }, "schedule"));
  }
  const end = Date.parse(`${days.at(-1)}T00:00:00Z`) + 2 * DAY_MS;
  await sim.run({ until: end, maxEvents: 50_000_000 });

  const entries = stack.store
    .everything()
    .filter((e) => e.session.params.coverage !== undefined)
    .sort((a, b) => a.session.createdAt.localeCompare(b.session.createdAt));
  const charged = new Map<string, number>();
  for (const a of world.provider.arrivals)
    if (a.consumer === "dq") {
      const day = new Date(a.at).toISOString().slice(0, 10);
      charged.set(day, (charged.get(day) ?? 0) + a.charged);
    }
  const runs = entries.map(({ session }) => dailyRun(session, charged));
  const checks = entries.map((e) => ({
    round: e.session.params.coverage?.round ?? 0,
    results: e.results.map((r) => r.value),
  }));

  // Coverage reached, and the rotation a passing symbol actually sees once it is reached.
  const seen = new Set<string>();
  let coveredAfterRun: number | null = null;
  const lastCheck = new Map<string, { round: number; through?: string | null; errored?: boolean }>();
  const late = { count: 0, maxGap: 0 };
  const gaps: number[] = [];
  const steady: number[] = [];
  let unverifiedGaps = 0;
  const rechecked = { next: 0, of: 0 };
  checks.forEach(({ round, results }, i) => {
    for (const r of results) {
      seen.add(r.symbol);
      const previous = lastCheck.get(r.symbol);
      if (previous?.errored && coveredAfterRun !== null && r.status !== "error") {
        late.count++;
        late.maxGap = Math.max(late.maxGap, round - previous.round);
      } else if (previous && coveredAfterRun !== null && r.status === "pass") {
        gaps.push(round - previous.round);
        if (i >= coveredAfterRun + Math.ceil(options.symbols / options.creditsPerDay))
          steady.push(round - previous.round);
      }
      // The window [last − (lookback − 1), last] must reach the day after the previous check's last session.
      const through = r.metrics?.lastReferenceDate;
      if (previous?.through && through && daysBetween(previous.through, through) > options.lookbackDays)
        unverifiedGaps++;
      if (r.status !== "error") lastCheck.set(r.symbol, { round, through });
      else if (previous) previous.errored = true;
    }
    if (coveredAfterRun === null && seen.size === universe.length) coveredAfterRun = i + 1;
    const next = checks[i + 1];
    if (next) {
      const nextSymbols = new Set(next.results.map((r) => r.symbol));
      for (const r of results.filter((x: StoredResult) => x.status !== "pass")) {
        rechecked.of++;
        if (nextSymbols.has(r.symbol)) rechecked.next++;
      }
    }
  });
  gaps.sort((a, b) => a - b);

  const sessions = entries.map((e) => e.session);
  let overlapping = 0;
  for (let i = 0; i < sessions.length; i++)
    for (let j = i + 1; j < sessions.length; j++)
      if (overlap(sessions[i] as SessionRecord, sessions[j] as SessionRecord, sim.now)) overlapping++;

  const round = await stack.coverage?.getRound(universeKey(DATALAKE));
  const { violations } = checkInvariants(world, sim.now);
  return {
    options,
    runs,
    plannedRotation: Math.ceil(options.symbols / options.creditsPerDay),
    coveredAfterRun,
    rotationMax: gaps.at(-1) ?? 0,
    rotationP50: gaps[Math.floor(gaps.length / 2)] ?? 0,
    rotationSteadyMax: Math.max(0, ...steady),
    lateAfterError: late,
    rotation: round?.figures?.rotation ?? 0,
    maxCreditsPerDay: Math.max(0, ...charged.values()),
    overlappingSessions: overlapping,
    rechecked,
    requiredLookbackDays: requiredLookbackDays(Math.ceil(options.symbols / options.creditsPerDay)),
    unverifiedGaps,
    figures: round?.figures,
    violations,
    simulatedDays: (sim.now - scenario.start) / DAY_MS,
    wallMs: performance.now() - wallStart,
  };
}

function dailyRun(session: SessionRecord, charged: ReadonlyMap<string, number>): DailyRun {
  const created = Date.parse(session.createdAt);
  const finished = session.finishedAt ? Date.parse(session.finishedAt) : created;
  const day = session.createdAt.slice(0, 10);
  return {
    day,
    sessionId: session.sessionId,
    round: session.params.coverage?.round ?? 0,
    status: session.status,
    symbols: session.totalSymbols,
    passed: session.counters.passed,
    failed: session.counters.failed,
    errored: session.counters.errored,
    minutes: Math.round((finished - created) / 60_000),
    creditsCharged: charged.get(day) ?? 0,
  };
}

function overlap(a: SessionRecord, b: SessionRecord, now: number): boolean {
  const endOf = (s: SessionRecord) => (s.finishedAt ? Date.parse(s.finishedAt) : now);
  return Date.parse(a.createdAt) < endOf(b) && Date.parse(b.createdAt) < endOf(a);
}
