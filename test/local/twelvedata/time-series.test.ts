import { afterEach, describe, expect, it } from "vitest";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
import { fixtureClose } from "../../helpers/fixture-market.ts";
import { get, type SeriesBody, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const daily = (params: Record<string, string>) => ({ interval: "1day", ...params });

describe("GET /time_series", () => {
  it("answers one symbol unkeyed, every number a string with 5 decimals and volume an integer string", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/time_series", daily({ symbol: "AAPL", outputsize: "1" }));

    const body = reply.json as SeriesBody;
    expect(reply.status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body.meta).toEqual({
      symbol: "AAPL",
      interval: "1day",
      currency: "USD",
      exchange_timezone: "America/New_York",
      exchange: "NASDAQ",
      mic_code: "XNAS",
      type: "Common Stock",
    });
    const [value] = body.values;
    expect(value?.datetime).toBe("2026-01-20");
    for (const field of ["open", "high", "low", "close"]) expect(value?.[field]).toMatch(/^\d+\.\d{5}$/);
    expect(value?.close).toBe(fixtureClose("AAPL", "2026-01-20").toFixed(5));
    expect(value?.volume).toMatch(/^\d+$/);
  });

  it("returns the latest 30 bars, newest first, when neither outputsize nor start_date is given", async () => {
    emulator = await startFixtureEmulator();

    const body = (await get(emulator.url, "/time_series", daily({ symbol: "AAPL" }))).json as SeriesBody;

    expect(body.values).toHaveLength(30);
    expect(body.values[0]?.datetime).toBe("2026-01-20");
    expect(body.values[29]?.datetime).toBe("2025-12-10");
  });

  it("includes start_date, excludes end_date and honours order=asc", async () => {
    emulator = await startFixtureEmulator();

    const body = (
      await get(
        emulator.url,
        "/time_series",
        daily({ symbol: "AAPL", start_date: "2026-01-12", end_date: "2026-01-16", order: "asc" }),
      )
    ).json as SeriesBody;

    expect(body.values.map((v) => v.datetime)).toEqual(["2026-01-12", "2026-01-13", "2026-01-14", "2026-01-15"]);
  });

  it("keeps the latest outputsize bars of a dated range", async () => {
    emulator = await startFixtureEmulator();

    const body = (
      await get(emulator.url, "/time_series", daily({ symbol: "AAPL", start_date: "2026-01-01", outputsize: "2" }))
    ).json as SeriesBody;

    expect(body.values.map((v) => v.datetime)).toEqual(["2026-01-20", "2026-01-19"]);
  });

  it("rounds to dp decimals when asked", async () => {
    emulator = await startFixtureEmulator();

    const body = (await get(emulator.url, "/time_series", daily({ symbol: "AAPL", outputsize: "1", dp: "2" })))
      .json as SeriesBody;

    expect(body.values[0]?.close).toMatch(/^\d+\.\d{2}$/);
  });

  it("answers several symbols keyed as requested, case-insensitively", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/time_series", daily({ symbol: "aapl,MSFT", outputsize: "1" }));

    const body = reply.json as Record<string, SeriesBody>;
    expect(Object.keys(body)).toEqual(["aapl", "MSFT"]);
    expect(body.aapl?.meta.symbol).toBe("AAPL");
    expect(body.MSFT?.values[0]?.close).toBe(fixtureClose("MSFT", "2026-01-20").toFixed(5));
  });

  it("gives an unknown symbol its own 404 entry while the others succeed", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/time_series", daily({ symbol: "AAPL,XYZ", outputsize: "1" }));

    const body = reply.json as Record<string, unknown>;
    expect(reply.status).toBe(200);
    expect((body.AAPL as SeriesBody).status).toBe("ok");
    expect(body.XYZ).toEqual({
      code: 404,
      message: "**symbol** not found: XYZ. Please specify it correctly according to API Documentation.",
      status: "error",
    });
  });

  it("answers an unknown single symbol with a 404", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/time_series", daily({ symbol: "XYZ" }));

    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ code: 404, status: "error" });
  });

  it("accepts SYMBOL:EXCHANGE for the instrument's exchange and refuses another exchange", async () => {
    emulator = await startFixtureEmulator();

    const body = (await get(emulator.url, "/time_series", daily({ symbol: "AAPL:NASDAQ,AAPL:NYSE", outputsize: "1" })))
      .json as Record<string, { status: string; code?: number }>;

    expect(body["AAPL:NASDAQ"]?.status).toBe("ok");
    expect(body["AAPL:NYSE"]?.code).toBe(404);
  });

  it("serves symbols with '/' and '.' and leaves volume out where an instrument has none", async () => {
    emulator = await startFixtureEmulator();

    const body = (await get(emulator.url, "/time_series", daily({ symbol: "EUR/USD,BRK.B", outputsize: "1" })))
      .json as Record<string, SeriesBody>;

    expect(body["EUR/USD"]?.values[0]).not.toHaveProperty("volume");
    expect(body["BRK.B"]?.values[0]).toHaveProperty("volume");
  });

  it("serves today's bar, partial, while the session is open", async () => {
    emulator = await startFixtureEmulator({ clock: () => Date.UTC(2026, 0, 20, 18, 0, 0) });

    const body = (await get(emulator.url, "/time_series", daily({ symbol: "AAPL", outputsize: "1" })))
      .json as SeriesBody;

    expect(body.values[0]?.datetime).toBe("2026-01-20");
    expect(body.values[0]?.close).not.toBe(fixtureClose("AAPL", "2026-01-20").toFixed(5));
  });

  it("refuses an interval other than 1day with a 400 error body", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/time_series", { symbol: "AAPL", interval: "1h" });

    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ code: 400, status: "error" });
  });

  it("answers a range without sessions with the provider's no-data error", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(
      emulator.url,
      "/time_series",
      daily({ symbol: "AAPL", start_date: "2026-01-17", end_date: "2026-01-19" }),
    );

    expect(reply.json).toEqual({
      code: 400,
      message: "No data is available on the specified dates. Try setting different start/end dates.",
      status: "error",
    });
  });
});
