import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_TEST_START, testStartInstant } from "./pinned-clock.ts";

describe("testStartInstant", () => {
  const saved = process.env.DQ_TEST_START;
  afterEach(() => {
    if (saved === undefined) delete process.env.DQ_TEST_START;
    else process.env.DQ_TEST_START = saved;
  });

  it("is DQ_TEST_START when set, the named default otherwise", () => {
    process.env.DQ_TEST_START = "2026-03-08T06:59:50Z";
    const set = testStartInstant();
    delete process.env.DQ_TEST_START;

    expect([set, testStartInstant()]).toEqual([Date.parse("2026-03-08T06:59:50Z"), Date.parse(DEFAULT_TEST_START)]);
  });

  it("refuses a DQ_TEST_START it cannot read", () => {
    process.env.DQ_TEST_START = "next Tuesday";

    expect(() => testStartInstant()).toThrow(/DQ_TEST_START is not an ISO instant: next Tuesday/);
  });

  // scripts/pinned-clock-matrix.sh moves the machine's clock to DQ_TEST_START with faketime and says so in
  // DQ_MATRIX_FAKETIME: then this worker process (a fork of vitest's) must read the moved clock too.
  it("matches the machine's clock in this worker when the matrix moved it", () => {
    const moved = process.env.DQ_MATRIX_FAKETIME === "1";

    const drift = Math.abs(Date.now() - testStartInstant());

    expect(moved ? drift : 0, "ms between this worker's clock and DQ_TEST_START").toBeLessThan(600_000);
  });
});
