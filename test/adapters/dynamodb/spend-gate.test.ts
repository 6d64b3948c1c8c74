import { describe, expect, it } from "vitest";
import {
  decideSpend,
  type GateState,
  gateOfItem,
  settleSpend,
  withdrawSpend,
} from "../../../app/adapters/dynamodb/spend-gate.ts";

const W = 60_000;
const SPACING = W + 750;
const C = 610;

/** Grants in order, each at its instant; fails on a refusal. */
function spendAll(spends: readonly [at: number, credits: number][]): GateState | undefined {
  let gate: GateState | undefined;
  for (const [at, credits] of spends) {
    const decision = decideSpend(gate, credits, at, SPACING, C);
    if (decision.next === undefined) throw new Error(`refused ${credits} at ${at}: ${JSON.stringify(decision)}`);
    gate = decision.next;
  }
  return gate;
}

describe("decideSpend, credit by credit", () => {
  it("lets each batch of the next slot follow its own predecessor, so one slot's spread never adds to the next", () => {
    // Ten batches of 61 spent over 1.8 s (ten at once on a busy machine).
    const slot = Array.from({ length: 10 }, (_, i) => [1_000 + i * 200, 61] as [number, number]);
    const gate = spendAll(slot);

    // The next slot's first batch may go a spacing after the first of these, not after the last.
    expect(decideSpend(gate, 61, 1_000 + SPACING, SPACING, C).outcome).toMatchObject({ kind: "granted" });
    expect(decideSpend(gate, 61, 1_000 + SPACING - 1, SPACING, C).outcome).toEqual({
      kind: "wait",
      at: 1_000 + SPACING,
    });
    // Two batches at once wait for the second predecessor to leave the spacing behind it.
    expect(decideSpend(gate, 122, 1_000 + SPACING, SPACING, C).outcome).toEqual({
      kind: "wait",
      at: 1_200 + SPACING,
    });
  });

  it("never holds more than the capacity in any interval shorter than the spacing", () => {
    let gate: GateState | undefined;
    const granted: [number, number][] = [];
    let now = 0;
    // Batches of 1 to 61 credits asking every 137 ms for ten minutes.
    for (let i = 0; now < 600_000; i++, now += 137) {
      const credits = 1 + ((i * 37) % 61);
      const decision = decideSpend(gate, credits, now, SPACING, C);
      if (decision.next) {
        gate = decision.next;
        granted.push([now, credits]);
      }
    }
    for (const [at] of granted) {
      const inSpacing = granted.filter(([t]) => t >= at && t < at + SPACING).reduce((n, [, c]) => n + c, 0);
      expect(inSpacing).toBeLessThanOrEqual(C);
    }
    expect(granted.length).toBeGreaterThan(100);
  });

  it("keeps what another consumer takes free: the capacity is the plan less its share", () => {
    const gate = spendAll([[0, 5]]);

    expect(decideSpend(gate, 3, 10, SPACING, 8).outcome).toMatchObject({ kind: "granted" });
    expect(decideSpend(gate, 3, 10, SPACING, 5).outcome).toEqual({ kind: "wait", at: SPACING });
  });

  it("grants a batch larger than the capacity alone, once nothing else is held", () => {
    expect(decideSpend(undefined, 9, 0, SPACING, 8).outcome).toMatchObject({ kind: "granted" });
    expect(decideSpend(spendAll([[0, 1]]), 9, 10, SPACING, 8).outcome).toEqual({ kind: "wait", at: SPACING });
  });
});

describe("settleSpend", () => {
  it("moves a spend's record to when its request left, so later spends keep their distance from it", () => {
    const gate = spendAll([[1_000, 8]]) as GateState;

    const settled = settleSpend(gate, 1_000, 8, 1_900);

    expect(settled?.spends).toEqual([[1_900, 8]]);
    expect(decideSpend(settled, 8, 1_000 + SPACING, SPACING, 8).outcome).toEqual({
      kind: "wait",
      at: 1_900 + SPACING,
    });
  });

  it("changes nothing for a request that left no later than its grant", () => {
    expect(settleSpend(spendAll([[1_000, 8]]) as GateState, 1_000, 8, 1_000)).toBeUndefined();
  });
});

describe("withdrawSpend", () => {
  it("takes a grant's record out, so the credits of a request that never left hold nothing back", () => {
    const gate = spendAll([
      [1_000, 8],
      [1_500, 8],
    ]) as GateState;

    const withdrawn = withdrawSpend(gate, 1_500, 8);

    expect(withdrawn).toEqual({ spends: [[1_000, 8]], version: gate.version + 1 });
    expect(decideSpend(withdrawn, 8, 1_000 + SPACING, SPACING, 16).outcome).toMatchObject({ kind: "granted" });
  });

  it("changes nothing when the record is gone already (withdrawn twice)", () => {
    expect(withdrawSpend(spendAll([[1_000, 8]]) as GateState, 2_000, 8)).toBeUndefined();
  });
});

describe("gateOfItem", () => {
  it("reads an item written before spends were kept credit by credit as a full slot at its latest spend", () => {
    expect(gateOfItem({ slotStart: 0, curLast: 1_234, prevLast: 0 }, 8)).toEqual({
      spends: [[1_234, 8]],
      version: 0,
    });
    expect(gateOfItem({ spends: [[5, 2]], version: 3 }, 8)).toEqual({ spends: [[5, 2]], version: 3 });
    expect(gateOfItem(undefined, 8)).toBeUndefined();
  });
});

describe("a grant asked again in its own place", () => {
  it("replaces its record rather than adding one, and a capacity of 0 gives it back", () => {
    const gate = spendAll([[1_000, 61]]) as GateState;

    const again = decideSpend(gate, 61, 1_400, SPACING, C, 1_000);
    const givenBack = decideSpend(gate, 61, 1_400, SPACING, 0, 1_000);

    expect(again.next?.spends).toEqual([[1_400, 61]]);
    expect(givenBack.outcome.kind).toBe("wait");
    expect(givenBack.next?.spends).toEqual([]);
  });
});
