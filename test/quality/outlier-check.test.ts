import { describe, expect, it } from "vitest";
import { CheckCode } from "../../app/quality/types.ts";
import { makeBars, patchBar } from "../helpers/bars.ts";
import { check, cleanBars, DATES, issuesOf } from "./fixture.ts";

const OUTLIERS_ONLY = { enabled: new Set([CheckCode.outlierReturn]) };

describe("outlier_return", () => {
  it("is not reported for ordinary day-to-day moves", () => {
    const result = check(cleanBars());

    expect(issuesOf(result, CheckCode.outlierReturn)).toEqual([]);
  });

  it("warns about a move beyond the threshold that the reference does not show", () => {
    const subject = patchBar(cleanBars(), "2026-01-12", { close: 150, high: 151 });

    const result = check(subject, cleanBars(), OUTLIERS_ONLY);

    expect(result.issues[0]).toEqual({
      code: "outlier_return",
      severity: "warning",
      message: "close moved +44.23% from 2026-01-09 to 2026-01-12; the reference moved +0.96%",
      date: "2026-01-12",
      field: "close",
      subject: 150,
      reference: 105,
      diffPct: 43.2692,
    });
    expect(result.status).toBe("pass");
  });

  it("also flags the move back the next day", () => {
    const subject = patchBar(cleanBars(), "2026-01-12", { close: 150, high: 151 });

    const result = check(subject, cleanBars(), OUTLIERS_ONLY);

    expect(result.issues.map((item) => item.date)).toEqual(["2026-01-12", "2026-01-13"]);
  });

  it("does not flag a real large move present in both sources", () => {
    const crash = makeBars(DATES, (i) => (i < 5 ? 100 + i : 60 + i));

    const result = check(crash, crash);

    expect(result.issues).toEqual([]);
  });

  it("does not flag a move within the threshold", () => {
    const subject = patchBar(cleanBars(), "2026-01-12", { close: 104 * 1.24, high: 130 });

    const result = check(subject, cleanBars(), OUTLIERS_ONLY);

    expect(result.issues).toEqual([]);
  });

  it("measures the window's first move from the last shared session before it", () => {
    const subject = patchBar(cleanBars(), "2026-01-07", { close: 150, high: 151 });

    const result = check(subject, cleanBars(), { ...OUTLIERS_ONLY, lookbackDays: 10 });

    expect(result.issues.map((item) => [item.date, item.message.split(";")[0]])).toEqual([
      ["2026-01-07", "close moved +48.51% from 2026-01-06 to 2026-01-07"],
      ["2026-01-08", "close moved -31.33% from 2026-01-07 to 2026-01-08"],
    ]);
  });
});
