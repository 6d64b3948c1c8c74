import { afterEach, describe, expect, it } from "vitest";
import { TwelveDataClient, type TwelveDataClientOptions } from "../../../app/adapters/twelvedata/client.ts";
import { providerConfig } from "../../../app/config/config.ts";
import type { ReferenceOutcome } from "../../../app/domain/ports.ts";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
import { fixtureClose } from "../../helpers/fixture-market.ts";
import { AFTER_CLOSE, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const WEEK = { startDate: "2026-01-12", endDate: "2026-01-16" };

function clientFor(target: TwelveDataEmulator, options: Partial<TwelveDataClientOptions> = {}): TwelveDataClient {
  return new TwelveDataClient({
    baseUrl: target.url,
    apiKey: "demo",
    creditsPerWindow: 8,
    windowSeconds: 60,
    backoffBaseMs: 5,
    clock: () => AFTER_CLOSE,
    ...options,
  });
}

function series(outcome: ReferenceOutcome | undefined) {
  if (!outcome?.ok) throw new Error(`expected a series, got ${JSON.stringify(outcome)}`);
  return outcome.series;
}

describe("TwelveDataClient.dailyBars", () => {
  it("reads one symbol's bars, ascending, as numbers, with the exchange time zone", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars(["AAPL"], WEEK);

    const aapl = series(result.get("AAPL"));
    expect(aapl.exchangeTimezone).toBe("America/New_York");
    expect(aapl.bars.map((b) => b.date)).toEqual([
      "2026-01-12",
      "2026-01-13",
      "2026-01-14",
      "2026-01-15",
      "2026-01-16",
    ]);
    expect(aapl.bars[4]?.close).toBeCloseTo(fixtureClose("AAPL", "2026-01-16"), 4);
    expect(typeof aapl.bars[0]?.volume).toBe("number");
  });

  it("includes the last requested day although the provider's end_date is exclusive", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars(["AAPL"], { startDate: "2026-01-16", endDate: "2026-01-16" });

    expect(series(result.get("AAPL")).bars.map((b) => b.date)).toEqual(["2026-01-16"]);
  });

  it("reads several symbols from one request, keyed as given", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars(["AAPL", "MSFT", "BRK.B"], WEEK);

    expect([...result.keys()]).toEqual(["AAPL", "MSFT", "BRK.B"]);
    expect(series(result.get("MSFT")).bars).toHaveLength(5);
    expect(emulator.counts()).toMatchObject({ requests: 1, credits: 3 });
  });

  it("escapes symbols with '/' and reads an absent volume as null", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars(["EUR/USD", "BRK.B"], WEEK);

    expect(series(result.get("EUR/USD")).bars[0]?.volume).toBeNull();
    expect(series(result.get("BRK.B")).bars).toHaveLength(5);
  });

  it("turns an unknown symbol in a multi-symbol answer into that symbol's outcome only", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars(["AAPL", "XYZ"], WEEK);

    expect(result.get("XYZ")).toEqual({
      ok: false,
      code: 404,
      message: "**symbol** not found: XYZ. Please specify it correctly according to API Documentation.",
    });
    expect(result.get("AAPL")?.ok).toBe(true);
  });

  it("turns an unknown single symbol into its outcome rather than a thrown error", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars(["XYZ"], WEEK);

    expect(result.get("XYZ")).toMatchObject({ ok: false, code: 404 });
  });

  it("turns a transient Data not found into that symbol's outcome", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("404transient", 1, "MSFT");

    const result = await clientFor(emulator).dailyBars(["AAPL", "MSFT"], WEEK);

    expect(result.get("MSFT")).toEqual({ ok: false, code: 404, message: "Data not found" });
    expect(result.get("AAPL")?.ok).toBe(true);
  });

  it("fails only the symbol whose values are not numbers, with code 502", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars(["AAPL", "BAD"], WEEK);

    expect(result.get("BAD")).toMatchObject({ ok: false, code: 502 });
    expect((result.get("BAD") as { message: string }).message).toContain("not a finite number");
    expect(result.get("AAPL")?.ok).toBe(true);
  });

  it("turns a range without sessions into that symbol's outcome", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars(["AAPL"], { startDate: "2026-01-17", endDate: "2026-01-18" });

    expect(result.get("AAPL")).toMatchObject({ ok: false, code: 400 });
  });

  it("sends the key as a query parameter when told to", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator, { authIn: "query" }).dailyBars(["AAPL"], WEEK);

    expect(result.get("AAPL")?.ok).toBe(true);
  });

  it("asks once for a symbol given twice", async () => {
    emulator = await startFixtureEmulator();

    await clientFor(emulator).dailyBars(["AAPL", "AAPL"], WEEK);

    expect(emulator.counts()).toMatchObject({ credits: 1, repeatedSymbols: [] });
  });

  it("sends nothing for no symbols", async () => {
    emulator = await startFixtureEmulator();

    const result = await clientFor(emulator).dailyBars([], WEEK);

    expect(result.size).toBe(0);
    expect(emulator.counts().requests).toBe(0);
  });

  it("is built from the provider config, with the emulator's demo key when the key is empty on loopback", async () => {
    emulator = await startFixtureEmulator();
    const client = TwelveDataClient.fromConfig(providerConfig({ baseUrl: emulator.url, apiKey: "" }));

    const result = await client.dailyBars(["AAPL"], WEEK);

    expect(result.get("AAPL")?.ok).toBe(true);
  });
});
