import { describe, expect, it } from "vitest";
import { capIssues, formatNumber, issue } from "../../app/quality/issues.ts";
import { CheckCode } from "../../app/quality/types.ts";

const extra = (date: string) => issue(CheckCode.extraBars, `bar on ${date}`, { date });

describe("capIssues", () => {
  it("keeps issues up to the cap unchanged", () => {
    const issues = [extra("2026-01-10"), extra("2026-01-11")];

    expect(capIssues(issues, 2)).toBe(issues);
  });

  it("keeps max - 1 issues and summarises the rest with their range and count", () => {
    const issues = ["2026-01-03", "2026-01-04", "2026-01-10", "2026-01-11"].map(extra);

    const capped = capIssues(issues, 2);

    expect(capped).toEqual([
      issues[0],
      {
        code: "extra_bars",
        severity: "warning",
        message: "... and 3 more from 2026-01-04 to 2026-01-11",
        from: "2026-01-04",
        to: "2026-01-11",
        count: 3,
      },
    ]);
  });

  it("spans ranged issues by their from and to", () => {
    const run = (from: string, to: string) => issue(CheckCode.missingBars, "gap", { from, to, count: 2 });
    const issues = [run("2026-01-05", "2026-01-06"), run("2026-01-08", "2026-01-09"), run("2026-01-13", "2026-01-14")];

    const capped = capIssues(issues, 1);

    expect(capped).toEqual([
      expect.objectContaining({ message: "... and 3 more from 2026-01-05 to 2026-01-14", count: 3 }),
    ]);
  });
});

describe("formatNumber", () => {
  it("keeps six significant digits", () => {
    expect([formatNumber(104.79000000000002), formatNumber(0.00012345678), formatNumber(72142800)]).toEqual([
      "104.79",
      "0.000123457",
      "72142800",
    ]);
  });
});
