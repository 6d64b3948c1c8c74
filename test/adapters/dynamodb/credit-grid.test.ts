import { describe, expect, it } from "vitest";
import { firstUsableSlot, lateReservationMs } from "../../../app/adapters/dynamodb/credit-grid.ts";

describe("lateReservationMs", () => {
  it("lets a reservation take a slot up to 2 s late, a quarter of the window at most, the margin at least", () => {
    expect(lateReservationMs(60_000, 1_000)).toBe(2_000);
    expect(lateReservationMs(12_000, 200)).toBe(2_000);
    expect(lateReservationMs(4_000, 67)).toBe(1_000);
    expect(lateReservationMs(1_000, 300)).toBe(300);
  });
});

describe("firstUsableSlot", () => {
  const grid = { anchor: 1_000_000 };
  const slotMs = 61_000;

  it("takes the current slot while it started at most lateMs ago, else the next", () => {
    expect(firstUsableSlot(grid, 1_000_000 + 2_000, slotMs, 2_000)).toBe(0);
    expect(firstUsableSlot(grid, 1_000_000 + 2_001, slotMs, 2_000)).toBe(1);
    expect(firstUsableSlot(grid, 1_000_000 + slotMs + 500, slotMs, 2_000)).toBe(1);
  });

  it("never goes before the anchor", () => {
    expect(firstUsableSlot(grid, 1_000_000 - 5_000, slotMs, 2_000)).toBe(0);
  });
});
