import { describe, expect, it } from "vitest";
import type { Bar } from "../../app/domain/bar.ts";
import { checkSymbol } from "../../app/quality/check-symbol.ts";
import { makeBars, patchBar, referenceSeries, scalePrices, sessionDates } from "../helpers/bars.ts";
import { AS_OF, check, cleanBars, codes, DATES, issuesOf } from "./fixture.ts";

describe("missing values (issue 19, item 5)", () => {
  it("reports a NaN price where it is and checks every other bar", () => {
    const subject = patchBar(patchBar(cleanBars(), "2026-01-08", { close: Number.NaN }), "2026-01-14", { low: 107.2 });

    const result = check(subject);

    expect(result.issues.map((i) => [i.code, i.date])).toEqual([
      ["missing_value", "2026-01-08"],
      ["ohlc_invalid", "2026-01-14"],
    ]);
  });
});

describe("tolerance in ticks (issue 19, item 11)", () => {
  it("lets a datalake rounded to cents agree with the reference on a $0.05 stock", () => {
    const reference = makeBars(DATES, (i) => 0.0512 + (i % 3) * 0.0004);
    const subject = reference.map((b) => ({
      ...b,
      open: Math.round(b.open * 100) / 100,
      high: Math.round(b.high * 100) / 100,
      low: Math.round(b.low * 100) / 100,
      close: Math.round(b.close * 100) / 100,
    }));

    const loose = check(subject, reference);
    const strict = check(subject, reference, { tolerances: { priceTicks: 0 } });

    expect([
      codes(loose),
      codes(strict).includes("price_mismatch") || codes(strict).includes("adjustment_mismatch"),
    ]).toEqual([[], true]);
  });
});

describe("adjustment messages read the currency", () => {
  it("calls a x100 factor on a pence-quoted stock pence against pounds, not a reverse split", () => {
    const reference = { ...referenceSeries(cleanBars(), "Europe/London"), mic: "XLON", currency: "GBp" };
    const subject = scalePrices(cleanBars(), 0.01);

    const result = checkSymbol({ symbol: "VOD", subject, reference, asOf: AS_OF, options: { lookbackDays: 14 } });

    expect(issuesOf(result, "adjustment_mismatch")[0]?.message).toMatch(
      /looks like prices in pounds \(GBP\) where the reference quotes pence \(GBp\) \(1\/100\), not a split$/,
    );
  });
});

describe("dates of bare instants", () => {
  it("dates a bar given as a bare UTC instant in the exchange's zone", () => {
    // Midnight in Berlin is 23:00 UTC the day before in winter.
    const dates = sessionDates("2026-01-05", 10);
    const reference = { ...referenceSeries(makeBars(dates), "Europe/Berlin"), mic: "XETR" };
    const subject: Bar[] = makeBars(dates).map((b) => ({
      ...b,
      date: new Date(Date.parse(`${b.date}T00:00:00+01:00`)).toISOString().slice(0, 10),
      instant: Date.parse(`${b.date}T00:00:00+01:00`),
    }));

    const result = checkSymbol({ symbol: "SAP", subject, reference, asOf: AS_OF, options: { lookbackDays: 14 } });

    expect(codes(result)).toEqual([]);
  });
});

describe("severities from the profile", () => {
  it("replaces a code's severity and keeps the most serious issue first", () => {
    const subject = patchBar(cleanBars(), "2026-01-14", { close: 130, high: 131 });

    const result = check(subject, cleanBars(), { severities: { price_mismatch: "warning" } });

    expect([result.status, result.issues[0]?.code, result.issues[0]?.severity]).toEqual([
      "pass",
      "price_mismatch",
      "warning",
    ]);
  });
});

describe("the deep check (issue 19, item 9)", () => {
  it("catches an unapplied split older than the daily window, for the same single request", () => {
    // A 2:1 split went ex on 2025-07-14; the datalake never adjusted the history before it.
    const dates = sessionDates("2025-01-06", 260);
    const reference = makeBars(dates, (i) => 50 + i / 10);
    const subject = scalePrices(reference, 2, "2025-07-14");
    const asOf = new Date("2026-01-03T12:00:00Z");
    const checkAt = (lookbackDays: number) =>
      checkSymbol({ symbol: "X", subject, reference: referenceSeries(reference), asOf, options: { lookbackDays } });

    const daily = checkAt(10);
    const deep = checkAt(366);

    expect([daily.status, issuesOf(deep, "adjustment_mismatch").map((i) => [i.factor, i.to])]).toEqual([
      "pass",
      [[2, "2025-07-11"]],
    ]);
  });
});

describe("another instrument under the same ticker", () => {
  it("is one instrument_mismatch, not a price_mismatch a day", () => {
    // The ticker was reused: the datalake still holds the delisted company's prices.
    const subject = makeBars(DATES, (i) => 12 + (i % 4) * 0.7);

    const result = check(subject, cleanBars());

    expect([codes(result), result.issues[0]?.count]).toEqual([["instrument_mismatch"], 10]);
  });
});
