import { sessionIdFor } from "../app/pipeline/planning.ts";
import { Simulation } from "./engine.ts";
import { FaultPlan } from "./faults.ts";
import { boundFor, checkInvariants, type SessionOutcome, type Violation } from "./invariants.ts";
import { Random } from "./random.ts";
import { type Profile, type Scenario, scenarioFor } from "./scenario.ts";
import { SimWorld } from "./world.ts";

export interface SeedReport {
  seed: number;
  profile: string;
  sessions: SessionOutcome[];
  stuck: number;
  simulatedMs: number;
  faults: number;
  faultsByKind: Map<string, number>;
  events: number;
  invocations: number;
  violations: Violation[];
  /** Final events published a second time (same eventId) after a worker died between PutEvents and recording it. */
  republished: number;
  /** Wall-clock time of the run, ms. */
  wallMs: number;
  end: "idle" | "until" | "max_events" | "stopped";
  /** The provider key as the provider counted it: dq's 429s (refused requests and partial answers) and charges. */
  key: KeyReport;
}

export interface KeyReport {
  dq429s: number;
  /** The most of dq's 429s within any rolling minute. */
  worst429sPerMinute: number;
  dqCharged: number;
  otherCharged: number;
  /** What the (first stack's) ledger counts in its days: only what the provider charged, plus charged-or-not timeouts. */
  ledgerDays: number;
}

export interface RunOptions {
  /** Print every log line of every invocation. */
  verbose?: boolean;
  profile?: Profile;
  /** Changes the seed's scenario before it runs (a test that needs one exact situation). */
  override?: (scenario: Scenario) => Scenario;
  /** Events before the run is cut (a runaway loop). @default 5 000 000 */
  maxEvents?: number;
}

/** Runs one seed from its scenario to quiescence (or the hard end) and checks every invariant. */
export async function runSeed(seed: number, options: RunOptions = {}): Promise<SeedReport> {
  const wallStart = performance.now();
  const drawn = scenarioFor(seed, options.profile);
  const scenario = options.override ? options.override(drawn) : drawn;
  const sim = new Simulation(scenario.start);
  const random = new Random(seed);
  const faults = new FaultPlan(random.fork("faults"), scenario.faults);
  const world = new SimWorld(sim, random.fork("world"), faults, scenario, options.verbose ?? false);
  const operator = random.fork("operator");

  let lastBound = scenario.start;
  scenario.sessions.forEach((plan, i) => {
    const at = scenario.start + plan.at;
    lastBound = Math.max(lastBound, boundFor(scenario, at));
    const stack = world.stacks[plan.stack];
    if (!stack) return;
    const idempotencyKey = `sim-${seed}-${i}`;
    sim.at(at, () =>
      stack.start(
        { symbols: plan.symbols, lookbackDays: 10, startedBy: { kind: plan.trigger }, idempotencyKey },
        plan.trigger,
      ),
    );
    const sessionId = sessionIdFor(idempotencyKey, at);
    if (plan.cancelAfterMs !== undefined)
      sim.at(at + plan.cancelAfterMs, () => {
        faults.count("operator cancel");
        stack.operate("cancel", (ops) => ops.cancel(sessionId, "sim-operator"));
      });
    if (plan.retry) {
      // The operator looks every ten minutes and retries a session that finished with failed or errored symbols.
      const look = () => {
        const session = stack.store.everything().find((e) => e.session.sessionId === sessionId)?.session;
        if (session === undefined || session.status === "running") {
          if (sim.now < lastBound) sim.after(600_000, look);
          return;
        }
        if (session.counters.failed + session.counters.errored === 0 && session.status !== "cancelled") return;
        faults.count("operator retry");
        stack.operate("retry", (ops) =>
          ops.retry(sessionId, { kind: "retry", user: "sim-operator" }, { idempotencyKey: `${idempotencyKey}-retry` }),
        );
      };
      sim.at(at + operator.between(60_000, 600_000), look);
    }
  });
  // The other program spends the key while any session of the scenario is still to start or running.
  const lastStart = scenario.start + Math.max(...scenario.sessions.map((s) => s.at));
  const active = () =>
    sim.now <= lastStart ||
    world.stacks.some((stack) => stack.store.everything().some((e) => e.session.status === "running"));
  const other = scenario.provider.otherConsumer ?? { kind: "random" };
  const gap = scenario.provider.otherConsumerGapMs;
  if (gap !== undefined) {
    if (other.kind === "random") world.provider.otherConsumer(gap, active);
    else if (other.kind === "greedy") world.provider.greedyConsumer(other.credits, active);
    else if (other.kind === "bursty") world.provider.burstyConsumer(other.credits, other.everyMs, active);
    else {
      const from = scenario.start + other.fromMs;
      world.provider.greedyConsumer(scenario.creditsPerMinute, active, from, from + other.forMs);
    }
  }

  const hardEnd = lastBound + 12 * 3_600_000;
  const end = await sim.run({ until: hardEnd, maxEvents: options.maxEvents ?? 5_000_000 });
  const { violations, sessions, republished } = checkInvariants(world, sim.now);
  if (end === "max_events") violations.push({ invariant: "the run ends", detail: `cut after ${sim.fired} events` });
  return {
    seed,
    profile: scenario.profile,
    sessions,
    stuck: sessions.filter((s) => s.status === "running").length,
    simulatedMs: sim.now - scenario.start,
    faults: faults.total,
    faultsByKind: faults.injected,
    events: sim.fired,
    invocations: world.lambda.invocations,
    violations,
    republished,
    wallMs: performance.now() - wallStart,
    end,
    key: keyReport(world),
  };
}

function keyReport(world: SimWorld): KeyReport {
  const arrivals = world.provider.arrivals;
  const refusals = arrivals
    .filter((a) => a.consumer === "dq" && (a.kind === "refused" || (a.kind === "served" && a.charged < a.credits)))
    .map((a) => a.at);
  let worst = 0;
  for (let i = 0, from = 0; i < refusals.length; i++) {
    while ((refusals[i] as number) - (refusals[from] as number) >= 60_000) from++;
    worst = Math.max(worst, i - from + 1);
  }
  const charged = (consumer: string) =>
    arrivals.filter((a) => a.consumer === consumer).reduce((sum, a) => sum + a.charged, 0);
  const ledger = world.stacks[0]?.ledger;
  return {
    dq429s: refusals.length,
    worst429sPerMinute: worst,
    dqCharged: charged("dq"),
    otherCharged: charged("other"),
    ledgerDays: ledger ? [...ledger.dayCounts().values()].reduce((sum, n) => sum + n, 0) : 0,
  };
}

/** The command that replays one seed. */
export function replayCommand(seed: number): string {
  return `npm run sim -- --seed ${seed} --verbose`;
}
