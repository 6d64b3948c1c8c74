import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readAnswer } from "../../../app/adapters/twelvedata/answer.ts";
import { TwelveDataClient } from "../../../app/adapters/twelvedata/client.ts";
import type { Bar } from "../../../app/domain/bar.ts";
import type { ReferenceOutcome } from "../../../app/domain/ports.ts";
import { checkSymbol, providerErrorResult } from "../../../app/quality/check-symbol.ts";

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/twelvedata/${name}`, import.meta.url), "utf8"));
const RANGE = { startDate: "2026-01-01", endDate: "2026-01-31" };

function seriesOf(outcome: ReferenceOutcome | undefined) {
  if (!outcome?.ok) throw new Error(`expected a series, got ${JSON.stringify(outcome)}`);
  return outcome.series;
}

function only(body: unknown, symbol: string): ReferenceOutcome | undefined {
  const answer = readAnswer(body, [symbol], RANGE);
  return answer.kind === "outcomes" ? answer.outcomes.get(symbol) : undefined;
}

describe("forex and crypto answers, as the provider shapes them (issue 19, item 2)", () => {
  it("reads a forex answer without exchange_timezone as UTC days", () => {
    const series = seriesOf(only(fixture("eurusd-1day.json"), "EUR/USD"));

    expect([series.kind, series.exchangeTimezone, series.bars.length, series.bars[0]?.volume]).toEqual([
      "forex",
      "UTC",
      10,
      null,
    ]);
  });

  it("validates a forex pair against its datalake series", () => {
    const reference = seriesOf(only(fixture("eurusd-1day.json"), "EUR/USD"));
    const subject: Bar[] = reference.bars.map((b) => ({ ...b }));

    const result = checkSymbol({
      symbol: "EUR/USD",
      subject,
      reference,
      asOf: new Date("2026-01-17T06:00:00Z"),
      options: { lookbackDays: 14 },
    });

    expect([result.status, result.issues, result.metrics.comparedRows]).toEqual(["pass", [], 10]);
  });

  it("never compares crypto's day in progress, even late in the UTC day", () => {
    const reference = seriesOf(only(fixture("btcusd-1day.json"), "BTC/USD"));
    // The datalake took Saturday's bar at 12:00 UTC; the provider's has moved on since.
    const subject: Bar[] = reference.bars.map((b) =>
      b.date === "2026-01-17" ? { ...b, close: b.close * 0.97, low: b.low * 0.97 } : b,
    );

    const result = checkSymbol({
      symbol: "BTC/USD",
      subject,
      reference,
      asOf: new Date("2026-01-17T18:00:00Z"),
      options: { lookbackDays: 14 },
    });

    expect([reference.kind, result.status, result.issues, result.metrics.lastReferenceDate]).toEqual([
      "crypto",
      "pass",
      [],
      "2026-01-16",
    ]);
  });
});

describe("provider duplicates (issue 19, item 7)", () => {
  it("drops a date answered twice with different values, names it, and keeps the rest", () => {
    const body = fixture("eurusd-1day.json") as { values: { datetime: string; close: string }[] };
    const twice = { ...(body.values[3] as { datetime: string; close: string }), close: "1.20000" };
    const outcome = only({ ...body, values: [...body.values, twice] }, "EUR/USD");

    const series = seriesOf(outcome);

    expect([series.bars.length, series.conflicts]).toEqual([9, [twice.datetime]]);
  });
});

describe("plan-locked symbols (issue 19, item 8)", () => {
  it("makes a 403 'upgrade' answer to a one-symbol request that symbol's outcome, not a refused key", () => {
    const outcome = only(fixture("plan-locked-403.json"), "SAP:XETR");

    expect(outcome).toEqual({ ok: false, code: 403, message: expect.stringMatching(/available starting with Grow/) });
  });

  it("gives the symbol a clear not_entitled result", () => {
    const result = providerErrorResult("SAP:XETR", 403, "**symbol** SAP:XETR is available starting with Grow plan");

    expect([result.status, result.error?.kind, result.error?.message]).toEqual([
      "error",
      "not_entitled",
      expect.stringMatching(/^not entitled: the provider's plan does not cover SAP:XETR/),
    ]);
  });

  it("still refuses the key on a 403 that names no plan", () => {
    const answer = readAnswer({ code: 403, message: "forbidden", status: "error" }, ["AAPL"], RANGE);

    expect(answer.kind).toBe("error");
  });
});

describe("the request carries the adjustment convention (issue 19, item 1)", () => {
  it("sends adjust and the provider's largest outputsize", async () => {
    const urls: string[] = [];
    const client = new TwelveDataClient({
      baseUrl: "http://127.0.0.1:9",
      apiKey: "k",
      creditsPerWindow: 8,
      windowSeconds: 60,
      adjust: "all",
      fetch: async (url) => {
        urls.push(String(url));
        return new Response(JSON.stringify(fixture("eurusd-1day.json")), { status: 200 });
      },
    });

    await client.dailyBars(["EUR/USD"], RANGE);

    const params = new URL(urls[0] as string).searchParams;
    expect([params.get("adjust"), params.get("outputsize")]).toEqual(["all", "5000"]);
  });
});
