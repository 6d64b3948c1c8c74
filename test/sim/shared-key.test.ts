import { describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../sim/faults.ts";
import { runSeed } from "../../sim/run.ts";
import type { OtherConsumerSpec, Scenario } from "../../sim/scenario.ts";
import { SHARED_KEY_BOUNDS } from "../helpers/shared-key.ts";

/**
 * Issue #16 at real timings (60 s windows, Basic's 8 credits a minute and 800 a day, Lambda and SQS as deployed), in
 * virtual time: one session of 200 symbols while another program shares the key. Every symbol passes or fails, the
 * ledger's day count is what the provider charged dq, and dq's 429s stay under the stated bound a minute.
 */
const SYMBOLS = 200;
const NOON = Date.UTC(2025, 2, 4, 12, 0, 0);

function sharedKey(other: OtherConsumerSpec, partialAnswers: boolean) {
  return (drawn: Scenario): Scenario => ({
    ...drawn,
    start: NOON,
    creditsPerMinute: 8,
    creditsPerDay: 800,
    batchSize: 8,
    stacks: 1,
    sessions: [
      {
        at: 0,
        stack: 0,
        trigger: "cli",
        symbols: Array.from({ length: SYMBOLS }, (_, i) => `K${i}`),
        retry: false,
      },
    ],
    faults: { ...NO_FAULTS, maxSkewMs: 20 },
    provider: { partialAnswers, outageRate: 0, timeoutRate: 0, otherConsumerGapMs: 60_000, otherConsumer: other },
    datalakeFailureRate: 0,
    defective: [],
  });
}

describe.each([
  { other: { kind: "greedy", credits: 3 }, partialAnswers: false, left: 5 },
  { other: { kind: "greedy", credits: 3 }, partialAnswers: true, left: 5 },
  // The whole plan every 5 minutes: 6.4 credits a minute left on average, but a burst's share is held two windows
  // (it cannot be told from a greedy program's), so about 4 are used.
  { other: { kind: "bursty", credits: 8, everyMs: 300_000 }, partialAnswers: true, left: 4 },
  { other: { kind: "hog", fromMs: 5 * 60_000, forMs: 10 * 60_000 }, partialAnswers: false, left: 8 },
] as const)(
  "the simulation, a key shared with a $other.kind consumer (partial answers: $partialAnswers)",
  ({ other, partialAnswers, left }) => {
    it("finishes every symbol without an error, the day's count what was charged, few 429s a minute", async () => {
      const report = await runSeed(7, { override: sharedKey(other, partialAnswers) });
      const [session] = report.sessions;
      const minutes = ((session?.finishedAt ?? 0) - (session?.createdAt ?? 0)) / 60_000;
      const hogMinutes = other.kind === "hog" ? other.forMs / 60_000 : 0;

      console.info(
        `sim, ${other.kind} other consumer${partialAnswers ? ", partial answers" : ""}: ${SYMBOLS} symbols in ${minutes.toFixed(1)} min (symbols ÷ ${left} = ${Math.ceil(SYMBOLS / left)}${hogMinutes ? ` + ${hogMinutes} hogged` : ""}), ${report.key.dq429s} 429s, at most ${report.key.worst429sPerMinute} a minute, day count ${report.key.ledgerDays} = charged ${report.key.dqCharged}, other ${report.key.otherCharged} credits`,
      );
      expect(report.violations).toEqual([]);
      expect(session).toMatchObject({ status: "completed", symbols: SYMBOLS, errored: 0 });
      expect(minutes).toBeLessThanOrEqual(SHARED_KEY_BOUNDS.windows(SYMBOLS, left) + hogMinutes);
      expect(report.key.dqCharged).toBe(SYMBOLS);
      expect(report.key.ledgerDays).toBe(report.key.dqCharged);
      expect(report.key.worst429sPerMinute).toBeLessThanOrEqual(SHARED_KEY_BOUNDS.max429sPerWindow);
    });
  },
);
