import { expect, it } from "vitest";
import { describeFailure, describeTotals, runSeeds } from "../../sim/cli.ts";

/**
 * The CI seed set of the deterministic simulation (sim/): every seed runs whole sessions at AWS's real constants
 * under the faults it draws, then every invariant is checked. A failing seed prints the one command that replays it.
 * Longer runs: `npm run sim -- --seeds 2000`.
 */
const CI_SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);

it(`the simulation keeps every invariant over the CI seed set (${CI_SEEDS.length} seeds)`, async () => {
  const failures: string[] = [];
  const totals = await runSeeds(CI_SEEDS, {
    onReport: (report) => {
      if (report.violations.length > 0) failures.push(describeFailure(report));
    },
  });

  console.log(`simulation, CI seed set\n${describeTotals(totals)}`);
  expect(failures).toEqual([]);
  expect(totals.stuck).toBe(0);
  expect(totals.violations).toBe(0);
}, 240_000);
