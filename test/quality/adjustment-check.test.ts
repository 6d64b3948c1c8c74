import { describe, expect, it } from "vitest";
import { findAdjustmentRuns, likelyCause } from "../../app/quality/adjustment-check.ts";
import { CheckCode } from "../../app/quality/types.ts";
import { makeBars, patchBar, scalePrices } from "../helpers/bars.ts";
import { check, cleanBars, codes, DATES, issuesOf } from "./fixture.ts";

const TOLERANCES = { closePct: 1, adjustmentRatioSpreadPct: 0.5 };

describe("adjustment_mismatch", () => {
  it("is not reported when the subject matches the reference", () => {
    const result = check(cleanBars());

    expect(issuesOf(result, CheckCode.adjustmentMismatch)).toEqual([]);
  });

  it("reports an unapplied 2:1 split once, with no price mismatch and no outlier at the ex-date", () => {
    const subject = scalePrices(cleanBars(), 2, "2026-01-12");

    const result = check(subject);

    expect(result.issues).toEqual([
      {
        code: "adjustment_mismatch",
        severity: "error",
        message:
          "close is 2x the reference for 5 sessions from 2026-01-05 to 2026-01-09: looks like an unapplied 2:1 split",
        from: "2026-01-05",
        to: "2026-01-09",
        count: 5,
        factor: 2,
        diffPct: 100,
      },
    ]);
    expect({ status: result.status, maxDiffPct: result.metrics.maxDiffPct }).toEqual({ status: "fail", maxDiffPct: 0 });
  });

  it("leaves the sessions of a run to price_mismatch when adjustment_mismatch is off", () => {
    const subject = scalePrices(cleanBars(), 2, "2026-01-12");
    const enabled = new Set([CheckCode.priceMismatch]);

    const result = check(subject, cleanBars(), { enabled });

    expect(issuesOf(result, CheckCode.priceMismatch).map((item) => item.date)).toEqual(DATES.slice(0, 5));
  });

  it("finds the split through day-to-day noise between the sources", () => {
    const noisy = cleanBars().map((b, i) => ({ ...b, close: b.close * (1 + 0.001 * ((i % 3) - 1)) }));
    const subject = scalePrices(noisy, 2, "2026-01-12");

    const result = check(subject);

    expect(codes(result)).toEqual(["adjustment_mismatch"]);
    expect(result.issues[0]?.factor).toBeCloseTo(2, 2);
  });

  it("treats a session before the window inside the run as part of it: no outlier at the window's start", () => {
    const subject = scalePrices(cleanBars(), 2, "2026-01-12");

    const result = check(subject, cleanBars(), { lookbackDays: 10 });

    expect(result.issues.map((item) => [item.code, item.from, item.to])).toEqual([
      ["adjustment_mismatch", "2026-01-07", "2026-01-09"],
    ]);
  });

  it("names a missed reverse split", () => {
    const subject = scalePrices(cleanBars(), 0.1, "2026-01-12");

    const result = check(subject);

    expect(result.issues[0]?.message).toContain("looks like an unapplied 1:10 reverse split");
  });

  it("suggests a dividend adjustment for a small constant factor", () => {
    const subject = scalePrices(cleanBars(), 0.985, "2026-01-14");

    const result = check(subject);

    expect(result.issues.map((item) => [item.code, item.factor, item.count])).toEqual([
      ["adjustment_mismatch", 0.985, 7],
    ]);
    expect(result.issues[0]?.message).toContain("looks like an unapplied adjustment (dividend?)");
  });

  it("ignores a constant factor within the close tolerance", () => {
    const subject = scalePrices(cleanBars(), 0.995, "2026-01-14");

    const result = check(subject);

    expect(result.issues).toEqual([]);
  });

  it("leaves a single day off to price_mismatch", () => {
    const subject = patchBar(cleanBars(), "2026-01-12", { close: 103 * 1.05, high: 103 * 1.06 });

    const result = check(subject);

    expect(codes(result)).toEqual(["price_mismatch"]);
  });
});

describe("findAdjustmentRuns", () => {
  it("finds separate runs with different factors", () => {
    const reference = makeBars(DATES, 100);
    const subject = makeBars(DATES, (i) => (i < 3 ? 300 : i < 6 ? 100 : 150));

    const runs = findAdjustmentRuns(subject, reference, TOLERANCES);

    expect(runs).toEqual([
      { start: 0, end: 2, median: 3 },
      { start: 6, end: 9, median: 1.5 },
    ]);
  });

  it("keeps ratios spread wider than the tolerance when each stays within it of the median", () => {
    const reference = makeBars(DATES.slice(0, 3), 100);
    const subject = makeBars(DATES.slice(0, 3), (i) => [200, 201.5, 200.75][i] ?? 0);

    const runs = findAdjustmentRuns(subject, reference, TOLERANCES);

    expect(runs).toEqual([{ start: 0, end: 2, median: 2.0075 }]);
  });

  it("ends a run at a ratio beyond the spread from the run's median", () => {
    const reference = makeBars(DATES.slice(0, 5), 100);
    const subject = makeBars(DATES.slice(0, 5), (i) => [200, 200, 200, 201.5, 203][i] ?? 0);

    const runs = findAdjustmentRuns(subject, reference, TOLERANCES);

    expect(runs).toEqual([
      { start: 0, end: 2, median: 2 },
      { start: 3, end: 4, median: 2.0225 },
    ]);
  });

  it("breaks a run at a session with no usable ratio", () => {
    const reference = makeBars(DATES, 100);
    const subject = patchBar(makeBars(DATES, 200), "2026-01-06", { close: 0 });

    const runs = findAdjustmentRuns(subject, reference, TOLERANCES);

    expect(runs).toEqual([{ start: 2, end: 9, median: 2 }]);
  });
});

describe("likelyCause", () => {
  it.each([
    [4, "an unapplied 4:1 split"],
    [2.004, "an unapplied 2:1 split"],
    [1.5, "an unapplied 3:2 split"],
    [0.25, "an unapplied 1:4 reverse split"],
    [1 / 1.5, "an unapplied 2:3 reverse split"],
    [0.97, "an unapplied adjustment (dividend?)"],
    [1.1, "an unapplied adjustment (dividend?)"],
  ])("reads factor %d as %s", (factor, cause) => {
    expect(likelyCause(factor)).toBe(cause);
  });
});
