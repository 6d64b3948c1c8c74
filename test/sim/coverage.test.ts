import { expect, it } from "vitest";
import { requiredLookbackDays, rotationLength } from "../../app/pipeline/coverage.ts";
import { runCoverage } from "../../sim/coverage.ts";

// A small universe at the scale of `npm run bench -- --coverage` (5,000 at 800 a day), in about a second: 400 symbols
// at 80 credits a day rotate in 5 daily runs (6 once the failing symbols take their daily share).
it("rotates a universe five times the plan's day within its budget, one session at a time", async () => {
  const symbols = 400;
  const creditsPerDay = 80;
  const rotation = rotationLength(symbols, creditsPerDay);
  const report = await runCoverage({
    symbols,
    creditsPerMinute: 8,
    creditsPerDay,
    runs: 3 * rotation,
    lookbackDays: requiredLookbackDays(rotation + 1),
    defectEvery: 53,
    datalakeFailureRate: 0.01,
  });

  expect(report.violations).toEqual([]);
  expect(report.runs.every((r) => r.status === "completed" && r.symbols === creditsPerDay)).toBe(true);
  expect(report.maxCreditsPerDay).toBeLessThanOrEqual(creditsPerDay);
  expect(report.overlappingSessions).toBe(0);
  expect(report.rechecked.of).toBeGreaterThan(0);
  expect(report.rechecked.next).toBe(report.rechecked.of);
  // Failing symbols take their share of each day, so the rotation the sessions state may be one longer.
  expect(report.coveredAfterRun).toBeLessThanOrEqual(rotation + 1);
  expect(report.rotationMax).toBeLessThanOrEqual(report.rotation);
  expect(report.lateAfterError.maxGap).toBeLessThanOrEqual(report.rotation + 1);
  expect(report.unverifiedGaps).toBe(0);
  expect(report.figures?.neverChecked).toBe(0);
  expect(report.figures?.overdue).toBe(0);
}, 60_000);

it("counts the bars a lookback shorter than the rotation leaves unverified, and warns", async () => {
  const report = await runCoverage({ symbols: 400, creditsPerMinute: 8, creditsPerDay: 80, runs: 12, lookbackDays: 3 });

  expect(report.unverifiedGaps).toBeGreaterThan(0);
  expect(report.figures?.lookbackWarning).toContain(`at least ${requiredLookbackDays(report.rotation)}`);
}, 60_000);
