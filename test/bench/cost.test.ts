import { describe, expect, it } from "vitest";
import { costOf, type PhaseCounts, PRICES } from "../../bench/cost.ts";

const NONE: PhaseCounts = {
  dynamoReads: 0,
  dynamoWrites: 0,
  dynamoReadUnits: 0,
  dynamoWriteUnits: 0,
  sqsRequests: 0,
  sqsSends: 0,
  sqsReceives: 0,
  sqsEmptyReceives: 0,
  eventBridgeEvents: 0,
  schedulerInvocations: 0,
  lambdaInvocations: {},
  lambdaGbSeconds: 0,
  lambdaGbSecondsBy: {},
};

describe("costOf", () => {
  it("prices a million write units at the on-demand list price", () => {
    expect(costOf({ ...NONE, dynamoWriteUnits: 1e6 }).total).toBeCloseTo(0.625, 9);
  });

  it("prices Lambda requests and arm64 GB-seconds together", () => {
    const cost = costOf({ ...NONE, lambdaInvocations: { processor: 1e6 }, lambdaGbSeconds: 1000 });

    expect(cost.lambda).toBeCloseTo(0.2 + 1000 * PRICES.lambdaArmGbSecond, 9);
  });

  it("adds every service into the total", () => {
    const cost = costOf({ ...NONE, sqsRequests: 1e6, eventBridgeEvents: 1e6, dynamoReadUnits: 1e6 });

    expect(cost.total).toBeCloseTo(0.4 + 1 + 0.125, 9);
  });
});
