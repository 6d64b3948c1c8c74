import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { createDatalake } from "../../app/adapters/datalake/create-datalake.ts";
import { TwelveDataClient } from "../../app/adapters/twelvedata/client.ts";
import { parseProfile } from "../../app/config/load-profile.ts";
import { profileSettings } from "../../app/config/profile-settings.ts";
import type { Bar } from "../../app/domain/bar.ts";
import { validateSymbols } from "../../app/pipeline/validate.ts";
import type { SymbolResult } from "../../app/quality/types.ts";
import {
  AMC_REVERSE_SPLIT,
  type CorporateAction,
  fakeTwelveData,
  NVDA_SPLIT,
  toCsv,
  VZ_DIVIDEND,
} from "../helpers/corporate-actions.ts";
import { pandasTzAwareParquet } from "../helpers/pandas-parquet.ts";

/**
 * Issue 19's fixtures, end to end: the profile, the datalake reader on files shaped like real vendors' and the
 * Twelve Data client on answers shaped like the provider's, through the same validateSymbols the pipeline runs.
 */

const FIXTURES = new URL("../fixtures/", import.meta.url);
const fixtureJson = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`twelvedata/${name}`, FIXTURES), "utf8"));
const template = (dir: string, file = "{symbol}.csv") => `${new URL(`datalake/${dir}/`, FIXTURES).href}${file}`;

/** A fetch answering /time_series from fixed bodies per symbol (one-symbol requests answer unkeyed). */
function servedFrom(bodies: Record<string, unknown>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const symbols = (url.searchParams.get("symbol") ?? "").split(",");
    const body =
      symbols.length === 1 ? bodies[symbols[0] as string] : Object.fromEntries(symbols.map((s) => [s, bodies[s]]));
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

async function run(options: {
  profile: string;
  uri: string;
  symbols: string[];
  fetch: typeof fetch;
  asOf: string;
  lookbackDays: number;
}): Promise<SymbolResult[]> {
  const settings = profileSettings(parseProfile(options.profile, "test"));
  const client = new TwelveDataClient({
    baseUrl: "http://127.0.0.1:9",
    apiKey: "k",
    creditsPerWindow: 8,
    windowSeconds: 60,
    fetch: options.fetch,
    adjust: settings.provider.adjust,
  });
  const datalake = createDatalake({ uriTemplate: options.uri, ...settings.datalake });
  return validateSymbols(
    {
      symbols: options.symbols,
      asOf: new Date(options.asOf),
      lookbackDays: options.lookbackDays,
      checkOptions: settings.checkOptions,
    },
    datalake,
    client,
  );
}

const summary = (results: SymbolResult[]) =>
  results.map((r) => ({
    symbol: r.symbol,
    status: r.status,
    codes: r.issues.map((i) => i.code),
    error: r.error?.kind,
  }));

function lakeOf(actions: readonly CorporateAction[], convention: "none" | "splits" | "all"): string {
  const dir = mkdtempSync(join(tmpdir(), "dq-actions-"));
  for (const action of actions) writeFileSync(join(dir, `${action.symbol}.csv`), toCsv(action.bars(convention)));
  return `${pathToFileURL(dir).href}/{symbol}.csv`;
}

describe("item 1: the adjustment convention reaches the provider", () => {
  const raw = lakeOf([NVDA_SPLIT, AMC_REVERSE_SPLIT], "none");

  it("a raw datalake (adjust: none) passes through NVDA's 10:1 split and AMC's 1:10 reverse split", async () => {
    const provider = fakeTwelveData([NVDA_SPLIT, AMC_REVERSE_SPLIT]);
    const common = { uri: raw, symbols: ["AMC", "NVDA"], fetch: provider.fetch, lookbackDays: 30 };

    const matched = await run({ ...common, profile: "adjust: none\n", asOf: "2024-06-22T12:00:00Z" });
    const amc = await run({ ...common, symbols: ["AMC"], profile: "adjust: none\n", asOf: "2023-09-07T12:00:00Z" });
    const providerDefault = await run({ ...common, symbols: ["NVDA"], profile: "{}", asOf: "2024-06-22T12:00:00Z" });

    expect([provider.urls[0]?.searchParams.get("adjust"), summary(matched)[1], summary(amc)]).toEqual([
      "none",
      { symbol: "NVDA", status: "pass", codes: [], error: undefined },
      [{ symbol: "AMC", status: "pass", codes: [], error: undefined }],
    ]);
    // What every raw datalake got before: the split-adjusted reference makes the split an unapplied one.
    expect(providerDefault[0]?.issues[0]?.message).toMatch(/looks like an unapplied 10:1 split$/);
  });

  it("a total-return datalake (adjust: all) passes through VZ's dividend; against split-only prices it would not", async () => {
    const provider = fakeTwelveData([VZ_DIVIDEND]);
    const common = { uri: lakeOf([VZ_DIVIDEND], "all"), symbols: ["VZ"], fetch: provider.fetch, lookbackDays: 30 };

    const all = await run({ ...common, profile: "adjust: all\n", asOf: "2024-07-20T12:00:00Z" });
    const splits = await run({ ...common, profile: "adjust: splits\n", asOf: "2024-07-20T12:00:00Z" });

    expect([summary(all), splits[0]?.issues[0]?.message]).toEqual([
      [{ symbol: "VZ", status: "pass", codes: [], error: undefined }],
      expect.stringMatching(/looks like an unapplied adjustment \(dividend\?\)$/),
    ]);
  });
});

describe("items 3, 5 and 6: files shaped like real vendors'", () => {
  const aapl = servedFrom({ AAPL: fixtureJson("aapl-2024-01.json") });

  it("reads a yfinance multi-index download and reports its blank close where it is", async () => {
    const results = await run({
      profile: "{}",
      uri: template("yfinance-download"),
      symbols: ["AAPL"],
      fetch: aapl,
      asOf: "2024-01-20T12:00:00Z",
      lookbackDays: 20,
    });

    expect(results[0]?.issues.map((i) => [i.code, i.date])).toEqual([["missing_value", "2024-01-10"]]);
    expect(results[0]?.metrics.comparedRows).toBe(13);
  });

  it("reads Polygon-style t, o, h, l, c, v columns, dating each epoch in New York", async () => {
    const results = await run({
      profile: "{}",
      uri: template("polygon"),
      symbols: ["AAPL"],
      fetch: aapl,
      asOf: "2024-01-20T12:00:00Z",
      lookbackDays: 20,
    });

    expect(summary(results)).toEqual([{ symbol: "AAPL", status: "pass", codes: [], error: undefined }]);
  });

  it("dates yfinance's Berlin timestamps (+01:00) on their own day, not the UTC day before", async () => {
    const results = await run({
      profile: "{}",
      uri: template("yfinance-history"),
      symbols: ["SAP"],
      fetch: servedFrom({ SAP: fixtureJson("sap-xetr-2024-01.json") }),
      asOf: "2024-01-20T12:00:00Z",
      lookbackDays: 20,
    });

    expect([summary(results), results[0]?.metrics.comparedRows]).toEqual([
      [{ symbol: "SAP", status: "pass", codes: [], error: undefined }],
      14,
    ]);
  });

  it.each([
    ["Europe/Berlin", "SAP", { exchange: "XETR", mic_code: "XETR", currency: "EUR" }],
    ["Asia/Tokyo", "7203", { exchange: "JPX", mic_code: "XJPX", currency: "JPY" }],
  ])("dates a pandas tz-aware parquet (%s) in its own zone", async (zone, symbol, meta) => {
    const answer = fixtureJson("sap-xetr-2024-01.json") as { meta: object; values: Record<string, string>[] };
    const bars: Bar[] = answer.values
      .map((v) => ({
        date: v.datetime as string,
        open: Number(v.open),
        high: Number(v.high),
        low: Number(v.low),
        close: Number(v.close),
        volume: Number(v.volume),
      }))
      .reverse();
    const dir = mkdtempSync(join(tmpdir(), "dq-pandas-"));
    mkdirSync(join(dir, symbol));
    writeFileSync(join(dir, symbol, "daily.parquet"), pandasTzAwareParquet(bars, zone));
    const body = { ...answer, meta: { ...answer.meta, symbol, exchange_timezone: zone, ...meta } };

    const results = await run({
      profile: "{}",
      uri: `${pathToFileURL(dir).href}/{symbol}/daily.parquet`,
      symbols: [symbol],
      fetch: servedFrom({ [symbol]: body }),
      asOf: "2024-01-20T12:00:00Z",
      lookbackDays: 20,
    });

    expect([summary(results), results[0]?.metrics.comparedRows]).toEqual([
      [{ symbol, status: "pass", codes: [], error: undefined }],
      14,
    ]);
  });
});

describe("item 11: penny stocks", () => {
  it("lets a datalake rounded to cents agree with four-decimal provider prices within a tick", async () => {
    const common = {
      uri: template("penny"),
      symbols: ["PENY"],
      fetch: servedFrom({ PENY: fixtureJson("peny-2024-01.json") }),
      asOf: "2024-01-20T12:00:00Z",
      lookbackDays: 20,
    };

    const ticks = await run({ ...common, profile: "{}" });
    const relativeOnly = await run({ ...common, profile: "tolerances: {priceTicks: 0}\n" });

    expect([ticks[0]?.status, relativeOnly[0]?.status]).toEqual(["pass", "fail"]);
  });
});

describe("item 8: plan-locked symbols", () => {
  it("gives a symbol requested alone a not_entitled result instead of aborting the run", async () => {
    const results = await run({
      profile: "{}",
      uri: template("polygon"),
      symbols: ["AAPL"],
      fetch: servedFrom({ AAPL: fixtureJson("plan-locked-403.json") }),
      asOf: "2024-01-20T12:00:00Z",
      lookbackDays: 20,
    });

    expect([results[0]?.status, results[0]?.error?.kind]).toEqual(["error", "not_entitled"]);
  });
});
