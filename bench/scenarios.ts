import type { PipelineScenario } from "./pipeline-scenario.ts";

/**
 * The full set. Windows are scaled so the set runs in about 20 minutes on a 2-core machine, and long enough that
 * the ledger's slot margin (W / 60) covers one provider request plus the client pacer's 25 ms return margin, as
 * it does at a real 60 s window (see README, "The residual").
 */
export const FULL_SCENARIOS: readonly PipelineScenario[] = [
  {
    name: "188-at-8",
    title: "188 symbols at 8 per window",
    symbols: 188,
    shape: { creditsPerWindow: 8, windowSeconds: 4, batchSize: 8, processorConcurrency: 4 },
    chainedMaxLinks: 24,
    notes: "The Basic plan, the case the chained design was built for; default batch size min(C, 8) = 8.",
  },
  {
    name: "1000-at-55",
    title: "1,000 symbols at 55 per window",
    symbols: 1000,
    shape: { creditsPerWindow: 55, windowSeconds: 12, batchSize: 11, processorConcurrency: 5 },
    chainedMaxLinks: 20,
    notes:
      "Batch size 11 divides 55, so 5 batches fill each window; the default min(C, 8) = 8 fits only 6 batches (48 of 55 credits) per window.",
  },
  {
    name: "10000-at-610",
    title: "10,000 symbols at 610 per window, concurrency 10",
    symbols: 10_000,
    shape: { creditsPerWindow: 610, windowSeconds: 12, batchSize: 61, processorConcurrency: 10 },
    chainedMaxLinks: 10,
    notes:
      "Batch size 61 divides 610 (10 requests per window, well under the provider's ~120 symbols per request); processor concurrency capped at 10, one window's batches at once.",
  },
  {
    name: "two-sessions",
    title: "two overlapping sessions of 96 at 8 per window, one account",
    symbols: 96,
    sessions: 2,
    sessionOffsetWindows: 3,
    shape: { creditsPerWindow: 8, windowSeconds: 4, batchSize: 8, processorConcurrency: 4 },
    chainedMaxLinks: 12,
    notes: "The second session starts 3 windows after the first, on a disjoint universe; both share the ledger.",
  },
  {
    name: "day-cap",
    title: "1,000 symbols at 8 per window, 800 per day",
    symbols: 1000,
    shape: { creditsPerWindow: 8, windowSeconds: 3, batchSize: 8, processorConcurrency: 4, creditsPerDay: 800 },
    chainedMaxLinks: 12,
    notes:
      "Pauses when the day's 800 credits are spent; the stack clock then jumps to 00:00 UTC and the one-time schedule resumes it. Ratio over the active time of both days.",
  },
];

/**
 * The quick subset `npm test` runs (test/bench): small, 3 s windows. Shorter windows leave the spend gate a slack
 * (W / 120) below this machine's jitter between the gate and the provider request, and 429s follow (see README).
 */
export const CI_SCENARIOS: readonly PipelineScenario[] = [
  {
    name: "ci-32-at-8",
    title: "32 symbols at 8 per 3 s window",
    symbols: 32,
    shape: { creditsPerWindow: 8, windowSeconds: 3, batchSize: 8, processorConcurrency: 4 },
    chainedMaxLinks: 4,
  },
  {
    name: "ci-two-sessions",
    title: "two overlapping sessions of 16 at 8 per 3 s window",
    symbols: 16,
    sessions: 2,
    sessionOffsetWindows: 1,
    shape: { creditsPerWindow: 8, windowSeconds: 3, batchSize: 8, processorConcurrency: 4 },
    chainedMaxLinks: 2,
  },
];
