import { describe, expect, it } from "vitest";
import { CheckCode } from "../../app/quality/types.ts";
import { bar, barOn, withoutDates } from "../helpers/bars.ts";
import { check, cleanBars, issuesOf } from "./fixture.ts";

const byDate = (a: { date: string }, b: { date: string }) => a.date.localeCompare(b.date);

describe("stale", () => {
  it("is not reported when the subject reaches the reference's last session", () => {
    const result = check(cleanBars());

    expect(issuesOf(result, CheckCode.stale)).toEqual([]);
  });

  it("reports the subject's last date, the reference's and how many sessions behind", () => {
    const subject = withoutDates(cleanBars(), "2026-01-15", "2026-01-16");

    const result = check(subject);

    expect(result.issues).toEqual([
      {
        code: "stale",
        severity: "error",
        message: "last bar is 2026-01-14, 2 sessions behind the reference's last complete session 2026-01-16",
        from: "2026-01-14",
        to: "2026-01-16",
        count: 2,
      },
    ]);
    expect(result.metrics.lastSubjectDate).toBe("2026-01-14");
  });

  it("counts reference sessions, not calendar days, across a weekend", () => {
    const subject = withoutDates(cleanBars(), "2026-01-12", "2026-01-13", "2026-01-14", "2026-01-15", "2026-01-16");

    const result = check(subject);

    expect(issuesOf(result, CheckCode.stale).map((item) => item.count)).toEqual([5]);
  });
});

describe("missing_bars", () => {
  it("is not reported when every reference session is present", () => {
    const result = check(cleanBars());

    expect(issuesOf(result, CheckCode.missingBars)).toEqual([]);
  });

  it("reports one issue per run of consecutive missing sessions", () => {
    const subject = withoutDates(cleanBars(), "2026-01-07", "2026-01-08", "2026-01-13");

    const result = check(subject);

    expect(issuesOf(result, CheckCode.missingBars)).toEqual([
      {
        code: "missing_bars",
        severity: "error",
        message: "no bars for 2 sessions from 2026-01-07 to 2026-01-08",
        from: "2026-01-07",
        to: "2026-01-08",
        count: 2,
      },
      {
        code: "missing_bars",
        severity: "error",
        message: "no bar for session 2026-01-13",
        from: "2026-01-13",
        to: "2026-01-13",
        count: 1,
      },
    ]);
  });

  it("treats Friday and the next Monday as one run", () => {
    const subject = withoutDates(cleanBars(), "2026-01-09", "2026-01-12");

    const result = check(subject);

    expect(issuesOf(result, CheckCode.missingBars).map((item) => [item.from, item.to, item.count])).toEqual([
      ["2026-01-09", "2026-01-12", 2],
    ]);
  });

  it("leaves sessions after the subject's last bar to stale", () => {
    const subject = withoutDates(cleanBars(), "2026-01-12", "2026-01-15", "2026-01-16");

    const result = check(subject);

    expect(result.issues.map((item) => [item.code, item.from])).toEqual([
      ["stale", "2026-01-14"],
      ["missing_bars", "2026-01-12"],
    ]);
  });

  it("summarises runs beyond maxIssuesPerCode", () => {
    const subject = withoutDates(cleanBars(), "2026-01-06", "2026-01-08", "2026-01-12", "2026-01-14");

    const result = check(subject, cleanBars(), { maxIssuesPerCode: 2 });

    expect(issuesOf(result, CheckCode.missingBars).map((item) => item.message)).toEqual([
      "no bar for session 2026-01-06",
      "... and 3 more from 2026-01-08 to 2026-01-14",
    ]);
  });
});

describe("extra_bars", () => {
  it("is not reported when the subject has only reference sessions", () => {
    const result = check(cleanBars());

    expect(issuesOf(result, CheckCode.extraBars)).toEqual([]);
  });

  it("warns once per subject date that is not a session of the exchange", () => {
    const subject = [...cleanBars(), bar("2026-01-10", 104), bar("2026-01-11", 104)].sort(byDate);

    const result = check(subject);

    expect(result.status).toBe("pass");
    expect(issuesOf(result, CheckCode.extraBars)).toEqual([
      {
        code: "extra_bars",
        severity: "warning",
        message: "bar on 2026-01-10 (Saturday), not a session of XNYS",
        date: "2026-01-10",
      },
      {
        code: "extra_bars",
        severity: "warning",
        message: "bar on 2026-01-11 (Sunday), not a session of XNYS",
        date: "2026-01-11",
      },
    ]);
  });

  it("flags a holiday bar the reference skips", () => {
    const reference = withoutDates(cleanBars(), "2026-01-12");

    const result = check(cleanBars(), reference);

    expect(issuesOf(result, CheckCode.extraBars).map((item) => item.date)).toEqual(["2026-01-12"]);
  });
});

describe("duplicate_bars", () => {
  it("is not reported when each date appears once", () => {
    const result = check(cleanBars());

    expect(issuesOf(result, CheckCode.duplicateBars)).toEqual([]);
  });

  it("reports each repeated date once, with how many times it appears", () => {
    const bars = cleanBars();
    const subject = [...bars, barOn(bars, "2026-01-08"), barOn(bars, "2026-01-08"), barOn(bars, "2026-01-13")];

    const result = check(subject);

    expect(issuesOf(result, CheckCode.duplicateBars).map((item) => [item.date, item.count])).toEqual([
      ["2026-01-08", 3],
      ["2026-01-13", 2],
    ]);
    expect(result.metrics.subjectRows).toBe(13);
  });

  it("compares the first occurrence of a duplicate date", () => {
    const bars = cleanBars();
    const wrong = { ...barOn(bars, "2026-01-08"), close: 200, high: 201 };
    const subject = [...bars, wrong];

    const result = check(subject);

    expect(result.issues.map((item) => item.code)).toEqual(["duplicate_bars"]);
  });
});
