import { describe, expect, it } from "vitest";
import { UnsupportedEventPatternError } from "../../../local/aws/errors.ts";
import { assertExactPattern, matchesPattern } from "../../../local/aws/event-pattern.ts";

describe("matchesPattern", () => {
  const pattern = { source: ["dq.monitor"], "detail-type": ["WorkflowCompleted", "WorkflowFailed"] };

  it("matches when every field holds one of the listed values", () => {
    expect(matchesPattern(pattern, { source: "dq.monitor", "detail-type": "WorkflowFailed", detail: {} })).toBe(true);
  });

  it("does not match a value outside the list", () => {
    expect(matchesPattern(pattern, { source: "dq.monitor", "detail-type": "SessionProgress" })).toBe(false);
  });

  it("does not match when a pattern field is missing from the event", () => {
    expect(matchesPattern(pattern, { source: "dq.monitor" })).toBe(false);
  });

  it("matches an array value when any element is listed", () => {
    expect(matchesPattern({ resources: ["b"] }, { resources: ["a", "b"] })).toBe(true);
  });

  it("matches nested objects field by field", () => {
    const nested = { detail: { status: ["failed"] } };

    expect(matchesPattern(nested, { detail: { status: "failed", other: 1 } })).toBe(true);
    expect(matchesPattern(nested, { detail: { status: "completed" } })).toBe(false);
  });
});

describe("assertExactPattern", () => {
  it("accepts exact-value arrays and nested objects", () => {
    expect(() => assertExactPattern({ source: ["a"], detail: { n: [1, null] } })).not.toThrow();
  });

  it("rejects content filters it does not implement", () => {
    expect(() => assertExactPattern({ source: [{ prefix: "dq." }] })).toThrow(UnsupportedEventPatternError);
  });
});
