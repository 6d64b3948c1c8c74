import { describe, expect, it } from "vitest";
import { runPipelineScenario } from "../../bench/pipeline-scenario.ts";
import { CI_SCENARIOS } from "../../bench/scenarios.ts";
import { testStartInstant } from "../helpers/pinned-clock.ts";

/**
 * The benchmarks' quick subset, as a guard: at 3 s windows dq measures 1.03-1.04 of the lower bound on a 2-core
 * machine (see bench/README.md); 1.15 leaves room for a loaded CI runner and still catches a schedule that loses a
 * window (one in four here is +0.33).
 */
const MAX_RATIO = 1.15;

describe.each(CI_SCENARIOS)("benchmark $name", (scenario) => {
  it("stays near the lower bound with no 429, no repeated symbol, no lost result and one credit per symbol", async () => {
    const result = await runPipelineScenario(scenario, () => {}, new Date(testStartInstant()));

    expect(result.dq.ratio).toBeLessThanOrEqual(MAX_RATIO);
    expect({
      rateLimited: result.dq.rateLimited,
      repeatedSymbols: result.dq.repeatedSymbols,
      lostResults: result.dq.lostResults,
      creditsPerSymbol: result.dq.creditsPerSymbol,
    }).toEqual({ rateLimited: 0, repeatedSymbols: 0, lostResults: 0, creditsPerSymbol: 1 });
    expect(result.dq.maxCreditsInAnyWindow).toBeLessThanOrEqual(scenario.shape.creditsPerWindow);
  }, 60_000);
});
