import { describe, expect, it } from "vitest";
import { median, quantile } from "../../bench/stats.ts";

describe("quantile", () => {
  it("takes the nearest rank of an unsorted list", () => {
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
  });

  it("answers the largest value at p99 of fewer than 100 values", () => {
    expect(quantile([1, 2, 3, 10], 0.99)).toBe(10);
  });

  it("answers NaN for no values", () => {
    expect(median([])).toBeNaN();
  });
});
