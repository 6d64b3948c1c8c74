import { afterEach, describe, expect, it } from "vitest";
import { TwelveDataClient } from "../../../app/adapters/twelvedata/client.ts";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
import { createFixtureMarket } from "../../local/twelvedata/fixture-market.ts";
import { startFixtureEmulator } from "../../local/twelvedata/helpers.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const WEEK = { startDate: "2026-01-12", endDate: "2026-01-16" };

/** These emulators run on the real clock, so their scaled windows roll as the client's do. */
const realTime = { clock: Date.now, market: createFixtureMarket() };

describe("pacing by credits", () => {
  it("makes 24 symbol-requests at 8 per 1 s window against a rolling 8 per 1 s provider without a 429", async () => {
    emulator = await startFixtureEmulator({ ...realTime, creditsPerMinute: 8, windowSeconds: 1, creditsPerDay: null });
    const client = new TwelveDataClient({
      baseUrl: emulator.url,
      apiKey: "demo",
      creditsPerWindow: 8,
      windowSeconds: 1,
    });
    const pairs = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? ["AAPL", "MSFT"] : ["BRK.B", "EUR/USD"]));

    const results = await Promise.all(pairs.map((symbols) => client.dailyBars(symbols, WEEK)));

    expect(results.flatMap((r) => [...r.values()]).every((outcome) => outcome.ok)).toBe(true);
    expect(emulator.counts()).toMatchObject({ credits: 24, rateLimited: 0 });
    expect(emulator.counts().maxCreditsInAnyWindow).toBeLessThanOrEqual(8);
  });

  it("waits a full window when the provider says no credit is left", async () => {
    emulator = await startFixtureEmulator({ ...realTime, creditsPerMinute: 2, windowSeconds: 1, creditsPerDay: null });
    // The client believes in more credits than the provider grants: only the header can hold it back.
    const client = new TwelveDataClient({
      baseUrl: emulator.url,
      apiKey: "demo",
      creditsPerWindow: 8,
      windowSeconds: 1,
    });
    await client.dailyBars(["AAPL", "MSFT"], WEEK);
    const started = performance.now();

    const result = await client.dailyBars(["AAPL", "MSFT"], WEEK);

    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(result.get("AAPL")?.ok).toBe(true);
    expect(emulator.counts().rateLimited).toBe(0);
  });
});
