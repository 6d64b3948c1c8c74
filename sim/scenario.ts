import { type FaultRates, NO_FAULTS } from "./faults.ts";
import { Random } from "./random.ts";

export interface SessionPlan {
  /** Offset from the scenario's start, ms. */
  at: number;
  stack: number;
  /** schedule and slack start through an asynchronous invoke (Lambda retries twice); cli through a synchronous one. */
  trigger: "schedule" | "slack" | "cli";
  symbols: string[];
  /** An operator cancels it this long after the start. */
  cancelAfterMs?: number;
  /** An operator retries it once it has finished with failures. */
  retry: boolean;
}

export interface Scenario {
  seed: number;
  /** What kind of run the seed drew, for the report. */
  profile: string;
  start: number;
  creditsPerMinute: number;
  creditsPerDay: number | null;
  batchSize: number;
  retentionDays: number;
  /** Two stacks (say dev and prod) using one provider key. */
  stacks: number;
  processorConcurrency: number;
  /** The stack's processor timeout (seconds): the lease, the visibility and the sweep follow it. */
  processorTimeoutSeconds: number;
  sessions: SessionPlan[];
  faults: FaultRates;
  provider: {
    partialAnswers: boolean;
    outageRate: number;
    timeoutRate: number;
    /** Offset from the start at which the key is revoked. */
    revokedAfterMs?: number;
    /** Another program spending the key: its mean gap between requests, ms. */
    otherConsumerGapMs?: number;
    /**
     * How that program spends (with otherConsumerGapMs): at random; greedy for `credits` of every minute; in bursts
     * of `credits` every `everyMs`; or taking the whole plan for `forMs` from `fromMs` after the start.
     */
    otherConsumer?: OtherConsumerSpec;
  };
  datalakeFailureRate: number;
  /** Symbols whose datalake series has a defect (they fail their checks). */
  defective: string[];
  /**
   * Coverage mode (sim/coverage.ts): the stacks keep coverage state, sessions over the universe default to this
   * lookback, and the market moves with the clock (each day's bars appear after that day), so weeks can pass.
   */
  coverage?: { lookbackDays: number };
}

export type OtherConsumerSpec =
  | { kind: "random" }
  | { kind: "greedy"; credits: number }
  | { kind: "bursty"; credits: number; everyMs: number }
  | { kind: "hog"; fromMs: number; forMs: number };

/**
 * The other program's way of spending, from a stream of its own, so the rest of the scenario stays as it was. On a
 * plan with a daily cap, a program that spends all day long (greedy, bursty) would spend the day's credits by itself:
 * there it spends at random or hogs the plan for a while.
 */
function otherConsumerFor(seed: number, creditsPerMinute: number, dailyCap: boolean): OtherConsumerSpec {
  const random = new Random(seed).fork("other-consumer");
  const kind = random.weighted([
    ["random", 2],
    ["greedy", dailyCap ? 0 : 1],
    ["bursty", dailyCap ? 0 : 1],
    ["hog", 1],
  ] as const);
  if (kind === "greedy") return { kind, credits: random.int(1, Math.max(1, Math.floor(creditsPerMinute / 2))) };
  if (kind === "bursty") return { kind, credits: creditsPerMinute, everyMs: random.pick([90_000, 300_000]) };
  if (kind === "hog") return { kind, fromMs: random.int(0, 30 * 60_000), forMs: random.int(5, 20) * 60_000 };
  return { kind };
}

const PROFILES = [
  ["calm", 2],
  ["faulty", 6],
  ["contended", 2],
  ["operators", 2],
  ["day-cap", 1],
  ["two-stacks", 1],
  ["long", 1],
  ["revoked-key", 1],
] as const;
export type Profile = (typeof PROFILES)[number][0];

/** The seed's scenario: which sessions, when, on which plan, under which faults. */
export function scenarioFor(seed: number, force?: Profile): Scenario {
  const random = new Random(seed).fork("scenario");
  const profile: Profile = force ?? random.weighted(PROFILES);
  // A weekday morning UTC, sometimes just before midnight so the UTC day turns mid-run.
  const day = Date.UTC(2025, 2, 3) + random.int(0, 3) * 86_400_000;
  const start = random.chance(0.25)
    ? day + 86_400_000 - random.int(60_000, 40 * 60_000)
    : day + random.int(4 * 3_600_000, 20 * 3_600_000);
  const basic = profile === "day-cap" || profile === "long" || random.chance(0.7);
  const creditsPerMinute = basic ? 8 : random.pick([55, 144]);
  const creditsPerDay = basic ? 800 : null;
  const batchSize = Math.min(creditsPerMinute, 8);
  const stacks = profile === "two-stacks" ? 2 : 1;

  const universe = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => `${prefix}${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26)}`);
  const sessionCount = profile === "long" || profile === "day-cap" ? 1 : random.int(1, stacks === 2 ? 4 : 3);
  const sessions: SessionPlan[] = [];
  for (let i = 0; i < sessionCount; i++) {
    const size =
      profile === "day-cap"
        ? random.int(820, 1_100)
        : profile === "long"
          ? random.int(900, 1_300)
          : random.weighted([
              [random.int(1, 24), 5],
              [random.int(25, 120), 4],
              [random.int(121, creditsPerMinute > 8 ? 1_500 : 260), 1],
            ]);
    sessions.push({
      at: i === 0 ? 0 : random.int(0, 50 * 60_000),
      stack: i % stacks,
      trigger: random.weighted([
        ["schedule", 3],
        ["slack", 3],
        ["cli", 1],
      ]),
      symbols: universe(size, `S${i}`),
      ...(profile === "operators" && random.chance(0.4) ? { cancelAfterMs: random.int(5_000, 20 * 60_000) } : {}),
      retry: profile === "operators" || random.chance(0.1),
    });
  }

  const intensity =
    profile === "calm"
      ? 0
      : profile === "faulty"
        ? random.pick([0.003, 0.01, 0.02, 0.04])
        : random.pick([0.002, 0.006]);
  const faults: FaultRates =
    intensity === 0
      ? { ...NO_FAULTS, maxSkewMs: 20 }
      : {
          perCall: intensity,
          kinds: {
            "fail before the effect": 4,
            "fail after the effect": 2,
            "crash before the effect": 1,
            "crash after the effect": 2,
            "slow call": 1,
          },
          duplicateDelivery: intensity * 3,
          lateDelivery: intensity * 5,
          throttledReceive: intensity,
          duplicateAsyncEvent: intensity * 5,
          maxSkewMs: random.pick([20, 100, 150]),
        };
  const all = sessions.flatMap((s) => s.symbols);
  return {
    seed,
    profile,
    start,
    creditsPerMinute,
    creditsPerDay,
    batchSize,
    retentionDays: profile === "long" ? 1 : 7,
    stacks,
    processorConcurrency: random.pick([2, 5, 10]),
    // Drawn from a stream of its own, so the rest of a seed's scenario is what it was before this was drawn.
    processorTimeoutSeconds: new Random(seed).fork("deploy").weighted([
      [60, 6],
      [120, 2],
      [300, 1],
    ]),
    sessions,
    faults,
    provider: {
      partialAnswers: random.chance(0.5),
      outageRate: profile === "calm" ? 0 : intensity * 2,
      timeoutRate: profile === "calm" ? 0 : intensity,
      ...(profile === "revoked-key" ? { revokedAfterMs: random.int(0, 10 * 60_000) } : {}),
      ...(profile === "contended" || random.chance(0.1)
        ? {
            otherConsumerGapMs: random.pick([30_000, 90_000, 300_000]),
            otherConsumer: otherConsumerFor(seed, creditsPerMinute, creditsPerDay !== null),
          }
        : {}),
    },
    datalakeFailureRate: profile === "calm" ? 0 : intensity,
    defective: all.filter((_, i) => i % 17 === 3),
  };
}
