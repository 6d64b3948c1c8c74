import { sessionIdFor } from "../app/pipeline/planning.ts";
import { Simulation } from "./engine.ts";
import { FaultPlan } from "./faults.ts";
import { boundFor, checkInvariants, type SessionOutcome, type Violation } from "./invariants.ts";
import { Random } from "./random.ts";
import { type Profile, scenarioFor } from "./scenario.ts";
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
}

export interface RunOptions {
  /** Print every log line of every invocation. */
  verbose?: boolean;
  profile?: Profile;
  /** Events before the run is cut (a runaway loop). @default 5 000 000 */
  maxEvents?: number;
}

/** Runs one seed from its scenario to quiescence (or the hard end) and checks every invariant. */
export async function runSeed(seed: number, options: RunOptions = {}): Promise<SeedReport> {
  const wallStart = performance.now();
  const scenario = scenarioFor(seed, options.profile);
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
  if (scenario.provider.otherConsumerGapMs !== undefined)
    world.provider.otherConsumer(scenario.provider.otherConsumerGapMs, active);

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
  };
}

/** The command that replays one seed. */
export function replayCommand(seed: number): string {
  return `npm run sim -- --seed ${seed} --verbose`;
}
