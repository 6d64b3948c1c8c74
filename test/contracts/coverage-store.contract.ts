import { describe, expect, it } from "vitest";
import type { CoverageFigures, SymbolCoverage } from "../../app/pipeline/coverage.ts";
import type { CoverageStore } from "../../app/pipeline/coverage-store.ts";

export const COVERAGE_NOW = Date.parse("2025-03-04T04:30:00Z");
const KEEP = COVERAGE_NOW + 30 * 86_400_000;
const AT = new Date(COVERAGE_NOW).toISOString();

export function symbolState(symbol: string, overrides: Partial<SymbolCoverage> = {}): SymbolCoverage {
  return {
    symbol,
    checkedAt: AT,
    round: 1,
    outcome: "pass",
    verifiedRound: 1,
    verifiedThrough: "2025-03-03",
    sessionId: "s1",
    ...overrides,
  };
}

function figures(round: number, due: number): CoverageFigures {
  return {
    symbols: 10,
    rotation: 2,
    verifiedWithin: 1,
    neverChecked: 0,
    due,
    failing: 0,
    errored: 0,
    overdue: 0,
    round,
    at: AT,
  };
}

/**
 * The CoverageStore port's contract, run against every implementation (DynamoDB on dynalite, the simulation's
 * in-memory store), so the simulation's coverage cannot drift from what the deployed store does.
 */
export function coverageStoreContract(newStore: () => Promise<CoverageStore>): void {
  describe("rounds", () => {
    it("numbers a universe's rounds from 1, one per session", async () => {
      const store = await newStore();
      const first = await store.openRound("u1", "s1", AT, KEEP, 800);
      const second = await store.openRound("u1", "s2", AT, KEEP, 800);

      expect([first.round, first.firstRound, second.round, second.firstRound]).toEqual([1, 1, 2, 1]);
      expect((await store.getRound("u1"))?.sessionId).toBe("s2");
    });

    it("does not count a round twice when the same session opens it again (a retried start), nor change its budget", async () => {
      const store = await newStore();
      await store.openRound("u1", "s1", AT, KEEP, 800);
      const again = await store.openRound("u1", "s1", AT, KEEP, 792);

      expect([again.round, again.budget]).toEqual([1, 800]);
    });

    it("keeps universes apart", async () => {
      const store = await newStore();
      await store.openRound("u1", "s1", AT, KEEP, 800);
      await store.openRound("u1", "s2", AT, KEEP, 800);
      const other = await store.openRound("u2", "s3", AT, KEEP, 800);

      expect(other.round).toBe(1);
      expect(await store.getRound("u3")).toBeUndefined();
    });

    it("keeps the latest round's figures, never over a later round's", async () => {
      const store = await newStore();
      await store.openRound("u1", "s1", AT, KEEP, 800);
      await store.saveFigures("u1", figures(3, 5));
      await store.saveFigures("u1", figures(2, 7));

      expect((await store.getRound("u1"))?.figures?.due).toBe(5);
    });

    it("saves no figures for a universe without a round", async () => {
      const store = await newStore();
      await store.saveFigures("u1", figures(1, 5));

      expect(await store.getRound("u1")).toBeUndefined();
    });
  });

  describe("symbol states", () => {
    it("lists what was put, replacing a symbol's state whole", async () => {
      const store = await newStore();
      await store.putStates("u1", [symbolState("AAA"), symbolState("BBB", { outcome: "fail" })], KEEP);
      await store.putStates(
        "u1",
        [symbolState("BBB", { outcome: "error", round: 2, verifiedThrough: undefined })],
        KEEP,
      );
      const states = await store.listStates("u1");

      expect(states.sort((a, b) => a.symbol.localeCompare(b.symbol))).toEqual(
        [symbolState("AAA"), symbolState("BBB", { outcome: "error", round: 2, verifiedThrough: undefined })].map((s) =>
          JSON.parse(JSON.stringify(s)),
        ),
      );
    });

    it("lists every state of a large universe, across pages (7,000 states are more than one 1 MB page)", async () => {
      const store = await newStore();
      const many = Array.from({ length: 7_000 }, (_, i) => symbolState(`S${String(i).padStart(4, "0")}`));
      await store.putStates("u1", many, KEEP);

      expect((await store.listStates("u1")).length).toBe(7_000);
    });

    it("keeps states of one universe out of another's, and away from the round item", async () => {
      const store = await newStore();
      await store.openRound("u1", "s1", AT, KEEP, 800);
      await store.putStates("u1", [symbolState("AAA")], KEEP);
      await store.putStates("u2", [symbolState("BBB")], KEEP);

      expect((await store.listStates("u1")).map((s) => s.symbol)).toEqual(["AAA"]);
    });

    it("forgets the states of symbols that left the universe", async () => {
      const store = await newStore();
      await store.putStates("u1", [symbolState("AAA"), symbolState("BBB"), symbolState("CCC")], KEEP);
      await store.removeStates("u1", ["AAA", "CCC"], COVERAGE_NOW);

      expect((await store.listStates("u1")).map((s) => s.symbol)).toEqual(["BBB"]);
      // A symbol that comes back starts again from its next check.
      await store.putStates("u1", [symbolState("AAA", { round: 5 })], KEEP);
      expect((await store.listStates("u1")).map((s) => [s.symbol, s.round])).toEqual([
        ["AAA", 5],
        ["BBB", 1],
      ]);
    });
  });
}
