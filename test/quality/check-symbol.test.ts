import { describe, expect, it } from "vitest";
import { checkSymbol, errorResult } from "../../app/quality/check-symbol.ts";
import { InvalidCheckInputError } from "../../app/quality/errors.ts";
import { CheckCode } from "../../app/quality/types.ts";
import { makeBars, patchBar, referenceSeries } from "../helpers/bars.ts";
import { AS_OF, check, cleanBars, codes, DATES, issuesOf } from "./fixture.ts";

describe("checkSymbol", () => {
  it("passes a subject identical to the reference, with full metrics", () => {
    const result = check(cleanBars());

    expect(result).toEqual({
      symbol: "TEST",
      status: "pass",
      issues: [],
      metrics: {
        subjectRows: 10,
        referenceRows: 10,
        comparedRows: 10,
        maxDiffPct: 0,
        lastSubjectDate: "2026-01-16",
        lastReferenceDate: "2026-01-16",
      },
    });
  });

  it("fails when any error-severity issue is found", () => {
    const subject = patchBar(cleanBars(), "2026-01-12", { close: 120, high: 121 });

    const result = check(subject);

    expect(result.status).toBe("fail");
  });

  it("passes with warnings only", () => {
    const subject = [...cleanBars(), ...makeBars(["2026-01-10"], 104)];

    const result = check(subject);

    expect({ status: result.status, codes: codes(result) }).toEqual({ status: "pass", codes: ["extra_bars"] });
  });

  it("reports max close difference over compared rows", () => {
    const subject = patchBar(cleanBars(), "2026-01-12", { close: 105 * 1.004 });

    const result = check(subject);

    expect({ status: result.status, maxDiffPct: result.metrics.maxDiffPct }).toEqual({
      status: "pass",
      maxDiffPct: 0.4,
    });
  });

  it("checks subject bars given out of order as if sorted", () => {
    const subject = cleanBars().reverse();

    const result = check(subject);

    expect({ status: result.status, issues: result.issues, compared: result.metrics.comparedRows }).toEqual({
      status: "pass",
      issues: [],
      compared: 10,
    });
  });

  it("reports an empty subject as no_data and runs no other check", () => {
    const result = check([]);

    expect(result.status).toBe("fail");
    expect(result.issues).toEqual([
      {
        code: "no_data",
        severity: "error",
        message: "no bars from 2026-01-03 to 2026-01-16; the series is empty",
        from: "2026-01-03",
        to: "2026-01-16",
      },
    ]);
    expect(result.metrics).toMatchObject({ subjectRows: 0, referenceRows: 10, comparedRows: 0 });
  });

  it("reports a subject whose bars all precede the window as no_data, naming its last bar", () => {
    const subject = makeBars(["2025-12-30", "2025-12-31"]);

    const result = check(subject);

    expect({ codes: codes(result), last: result.metrics.lastSubjectDate }).toEqual({
      codes: ["no_data"],
      last: "2025-12-31",
    });
    expect(result.issues[0]?.message).toContain("its last bar is 2025-12-31");
  });

  it("turns an empty reference into an error result, not a data failure", () => {
    const result = check(cleanBars(), []);

    expect({ status: result.status, error: result.error, issues: result.issues }).toEqual({
      status: "error",
      error: { kind: "provider", message: "reference returned no complete session" },
      issues: [],
    });
  });

  it("turns an unknown exchange time zone into an error result", () => {
    const result = checkSymbol({
      symbol: "TEST",
      subject: cleanBars(),
      reference: referenceSeries(cleanBars(), "Mars/Olympus_Mons"),
      asOf: AS_OF,
    });

    expect(result.error).toEqual({
      kind: "provider",
      message: 'reference has an unknown exchange time zone "Mars/Olympus_Mons"',
    });
  });

  it("throws InvalidCheckInputError for an invalid asOf", () => {
    const act = () => check(cleanBars(), cleanBars(), {}, new Date(Number.NaN));

    expect(act).toThrow(InvalidCheckInputError);
  });

  it("skips a check that is not enabled", () => {
    const subject = patchBar(cleanBars(), "2026-01-12", { close: 110, high: 111 });
    const enabled = new Set([CheckCode.stale, CheckCode.missingBars]);

    const result = check(subject, cleanBars(), { enabled });

    expect(result.issues).toEqual([]);
  });

  it("orders issues errors first, warnings after", () => {
    const saturday = makeBars(["2026-01-10"], 104);
    const subject = [...patchBar(cleanBars(), "2026-01-14", { close: 150, high: 151 }), ...saturday];

    const result = check(subject);

    expect(result.issues.map((item) => item.severity)).toEqual(["error", "warning", "warning", "warning"]);
    expect(issuesOf(result, CheckCode.extraBars)).toHaveLength(1);
  });
});

describe("errorResult", () => {
  it("builds a result that could not be validated, with empty metrics", () => {
    const result = errorResult("AAPL", "datalake", "no file at s3://lake/AAPL/daily.parquet");

    expect(result).toEqual({
      symbol: "AAPL",
      status: "error",
      issues: [],
      metrics: {
        subjectRows: 0,
        referenceRows: 0,
        comparedRows: 0,
        maxDiffPct: 0,
        lastSubjectDate: null,
        lastReferenceDate: null,
      },
      error: { kind: "datalake", message: "no file at s3://lake/AAPL/daily.parquet" },
    });
  });

  it("keeps the fixture honest: ten sessions, Monday to Friday twice", () => {
    expect([DATES[0], DATES.at(-1), DATES.length]).toEqual(["2026-01-05", "2026-01-16", 10]);
  });
});
