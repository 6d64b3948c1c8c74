import { describe, expect, it } from "vitest";
import { decideSpend, settleSpend } from "../../../app/adapters/dynamodb/spend-gate.ts";

const W = 60_000;
const SPACING = W + 500;

describe("settleSpend", () => {
  it("moves the slot's latest spend up to when its request ended, so the next slot keeps a window from it", () => {
    const gate = { slotStart: 1_000, curLast: 1_050, prevLast: 0 };

    const settled = settleSpend(gate, 1_000, 1_900);

    expect(settled).toEqual({ slotStart: 1_000, curLast: 1_900, prevLast: 0 });
    expect(decideSpend(settled, 62_000, 1_050 + SPACING, SPACING).outcome).toEqual({
      kind: "wait",
      at: 1_900 + SPACING,
    });
  });

  it("moves the previous slot's latest spend when a later slot already spends, so its other spends wait", () => {
    const gate = { slotStart: 62_000, curLast: 61_600, prevLast: 1_050 };

    const settled = settleSpend(gate, 1_000, 1_900);

    expect(settled).toEqual({ slotStart: 62_000, curLast: 61_600, prevLast: 1_900 });
    expect(decideSpend(settled, 62_000, 61_700, SPACING).outcome).toEqual({ kind: "wait", at: 1_900 + SPACING });
  });

  it("changes nothing for a request that ended before what the gate already records", () => {
    expect(settleSpend({ slotStart: 1_000, curLast: 2_000, prevLast: 0 }, 1_000, 1_500)).toBeUndefined();
  });
});
