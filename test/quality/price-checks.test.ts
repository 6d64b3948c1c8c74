import { describe, expect, it } from "vitest";
import { CheckCode } from "../../app/quality/types.ts";
import { patchBar } from "../helpers/bars.ts";
import { check, cleanBars, DATES, issuesOf } from "./fixture.ts";

// The fixture's bar on 2026-01-12 (index 5): close 105, open 104.79, high 106.05, low 103.95.
const DATE = "2026-01-12";

describe("price_mismatch", () => {
  it("is not reported for differences within tolerance", () => {
    const subject = patchBar(cleanBars(), DATE, { close: 105 * 1.009, open: 104.79 * 1.019 });

    const result = check(subject);

    expect(issuesOf(result, CheckCode.priceMismatch)).toEqual([]);
  });

  it("reports a close beyond the close tolerance with field, values and difference", () => {
    const subject = patchBar(cleanBars(), DATE, { close: 107.1, high: 108 });

    const result = check(subject);

    expect(issuesOf(result, CheckCode.priceMismatch)).toEqual([
      {
        code: "price_mismatch",
        severity: "error",
        message: "close 107.1 vs reference 105 on 2026-01-12: 2% off (tolerance 1%)",
        date: DATE,
        field: "close",
        subject: 107.1,
        reference: 105,
        diffPct: 2,
      },
    ]);
    expect(result.metrics.maxDiffPct).toBe(2);
  });

  it("holds open, high and low to their own tolerance", () => {
    const subject = patchBar(cleanBars(), DATE, { open: 104.79 * 0.97 });

    const result = check(subject);

    expect(issuesOf(result, CheckCode.priceMismatch).map((item) => [item.field, item.diffPct])).toEqual([["open", 3]]);
  });

  it("reports one issue per date, naming the field furthest off and listing the others", () => {
    const subject = patchBar(cleanBars(), DATE, { close: 105 * 1.02, high: 106.05 * 1.05, low: 103.95 * 1.03 });

    const result = check(subject);

    const issues = issuesOf(result, CheckCode.priceMismatch);
    expect(issues.map((item) => [item.field, item.diffPct])).toEqual([["high", 5]]);
    expect(issues[0]?.message).toMatch(/; low, close off too$/);
  });

  it("follows custom tolerances", () => {
    const subject = patchBar(cleanBars(), DATE, { close: 105 * 1.02, high: 108 });

    const result = check(subject, cleanBars(), { tolerances: { closePct: 3 } });

    expect(issuesOf(result, CheckCode.priceMismatch)).toEqual([]);
  });

  it("keeps maxIssuesPerCode - 1 issues and summarises the rest in one", () => {
    // Alternating errors: no constant ratio, so no adjustment run absorbs them.
    const subject = cleanBars().map((b, i) => ({ ...b, close: b.close * (i % 2 === 0 ? 1.02 : 0.97) }));

    const result = check(subject, cleanBars(), { maxIssuesPerCode: 4, enabled: new Set([CheckCode.priceMismatch]) });

    const issues = issuesOf(result, CheckCode.priceMismatch);
    expect(issues.map((item) => item.date ?? `${item.from}..${item.to}`)).toEqual([
      DATES[0],
      DATES[1],
      DATES[2],
      "2026-01-08..2026-01-16",
    ]);
    expect(issues[3]).toMatchObject({
      message: "... and 7 more from 2026-01-08 to 2026-01-16",
      count: 7,
      severity: "error",
    });
  });
});

describe("volume_mismatch", () => {
  it("is off by default", () => {
    const subject = patchBar(cleanBars(), DATE, { volume: 2_000_000 });

    const result = check(subject);

    expect(result.issues).toEqual([]);
  });

  it("reports volume beyond tolerance as info when enabled, without failing the symbol", () => {
    const subject = patchBar(cleanBars(), DATE, { volume: 1_150_000 });

    const result = check(subject, cleanBars(), { enabled: new Set([CheckCode.volumeMismatch]) });

    expect(result.status).toBe("pass");
    expect(result.issues).toEqual([
      {
        code: "volume_mismatch",
        severity: "info",
        message: "volume 1150000 vs reference 1000000 on 2026-01-12: 15% off (tolerance 10%)",
        date: DATE,
        field: "volume",
        subject: 1_150_000,
        reference: 1_000_000,
        diffPct: 15,
      },
    ]);
  });

  it("skips dates where either side has no volume", () => {
    const subject = patchBar(cleanBars(), DATE, { volume: null });
    const reference = patchBar(cleanBars(), "2026-01-13", { volume: null });

    const result = check(subject, reference, { enabled: new Set([CheckCode.volumeMismatch]) });

    expect(result.issues).toEqual([]);
  });
});
