import { describe, expect, it } from "vitest";
import { ohlcInvalidIssues } from "../../app/quality/ohlc-check.ts";
import { CheckCode } from "../../app/quality/types.ts";
import { bar, patchBar } from "../helpers/bars.ts";
import { check, cleanBars, issuesOf } from "./fixture.ts";

const DATE = "2026-01-12";

function messagesFor(patch: Parameters<typeof patchBar>[2]): string[] {
  return ohlcInvalidIssues(patchBar(cleanBars(), DATE, patch)).map((item) => item.message);
}

describe("ohlc_invalid", () => {
  it("accepts consistent bars, including a bar without volume", () => {
    const subject = patchBar(cleanBars(), DATE, { volume: null });

    const issues = ohlcInvalidIssues(subject);

    expect(issues).toEqual([]);
  });

  it("accepts a flat bar where open, high, low and close are equal", () => {
    const issues = ohlcInvalidIssues([bar(DATE, 10, { open: 10, high: 10, low: 10 })]);

    expect(issues).toEqual([]);
  });

  it("reports a high below the close", () => {
    const messages = messagesFor({ open: 104, high: 104.5, low: 103, close: 105 });

    expect(messages).toEqual([`invalid bar on ${DATE}: high 104.5 < close 105`]);
  });

  it("reports a low above the open", () => {
    const messages = messagesFor({ open: 104, high: 106, low: 104.5, close: 105 });

    expect(messages).toEqual([`invalid bar on ${DATE}: low 104.5 > open 104`]);
  });

  it("reports a high below the low, with the rules it breaks with it", () => {
    const messages = messagesFor({ open: 105, high: 104, low: 106, close: 105 });

    expect(messages).toEqual([`invalid bar on ${DATE}: high 104 < low 106; high 104 < close 105; low 106 > close 105`]);
  });

  it("reports a non-positive price", () => {
    const messages = messagesFor({ low: 0 });

    expect(messages).toEqual([`invalid bar on ${DATE}: low 0 is not a positive finite price`]);
  });

  it("leaves a missing (NaN) price to missing_value, and holds the others to the rules", () => {
    const missing = ohlcInvalidIssues(patchBar(cleanBars(), DATE, { close: Number.NaN }));
    const wrong = ohlcInvalidIssues(patchBar(cleanBars(), DATE, { close: Number.NaN, high: 1 }));

    expect([missing, wrong.map((item) => item.message)]).toEqual([
      [],
      [`invalid bar on ${DATE}: high 1 < low 103.95; high 1 < open 104.79`],
    ]);
  });

  it("allows float artefacts of adjusted data within the epsilon", () => {
    const artefact = patchBar(cleanBars(), DATE, { open: 101.5, high: 101.99999999, low: 101, close: 102 });

    expect([ohlcInvalidIssues(artefact, 0.001).length, ohlcInvalidIssues(artefact, 0).length]).toEqual([0, 1]);
  });

  it("reports a negative volume", () => {
    const messages = messagesFor({ volume: -5 });

    expect(messages).toEqual([`invalid bar on ${DATE}: volume -5 is negative`]);
  });

  it("reports a date once even when several of its bars are invalid", () => {
    const invalid = bar(DATE, 105, { high: 100 });

    const issues = ohlcInvalidIssues([invalid, invalid]);

    expect(issues).toHaveLength(1);
  });

  it("fails the symbol through checkSymbol, with the issue dated", () => {
    const subject = patchBar(cleanBars(), DATE, { high: 100 });

    const result = check(subject);

    expect({ status: result.status, dates: issuesOf(result, CheckCode.ohlcInvalid).map((item) => item.date) }).toEqual({
      status: "fail",
      dates: [DATE],
    });
  });
});
