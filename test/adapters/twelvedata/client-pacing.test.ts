import { afterEach, describe, expect, it } from "vitest";
import { TwelveDataClient } from "../../../app/adapters/twelvedata/client.ts";
import { LocalClock } from "../../../local/clock.ts";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
import { createFixtureMarket } from "../../helpers/fixture-market.ts";
import { AFTER_CLOSE, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const WEEK = { startDate: "2026-01-12", endDate: "2026-01-16" };

/**
 * These emulators and clients share a clock that runs at real speed, so the scaled windows roll as the client's
 * pacer does, but starts after the fixture week's close whatever the real date.
 */
function realSpeed() {
  const clock = new LocalClock(AFTER_CLOSE);
  return { clock: clock.now, market: createFixtureMarket() };
}

describe("pacing by credits", () => {
  it("makes 24 symbol-requests at 8 per 1 s window against a rolling 8 per 1 s provider without a 429", async () => {
    const time = realSpeed();
    emulator = await startFixtureEmulator({ ...time, creditsPerMinute: 8, windowSeconds: 1, creditsPerDay: null });
    const client = new TwelveDataClient({
      baseUrl: emulator.url,
      apiKey: "demo",
      creditsPerWindow: 8,
      windowSeconds: 1,
      clock: time.clock,
    });
    const pairs = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? ["AAPL", "MSFT"] : ["BRK.B", "EUR/USD"]));

    const results = await Promise.all(pairs.map((symbols) => client.dailyBars(symbols, WEEK)));

    expect(results.flatMap((r) => [...r.values()]).every((outcome) => outcome.ok)).toBe(true);
    expect(emulator.counts()).toMatchObject({ credits: 24, rateLimited: 0 });
    expect(emulator.counts().maxCreditsInAnyWindow).toBeLessThanOrEqual(8);
  });

  it("waits a full window when the provider says no credit is left", async () => {
    const time = realSpeed();
    emulator = await startFixtureEmulator({ ...time, creditsPerMinute: 2, windowSeconds: 1, creditsPerDay: null });
    // The client believes in more credits than the provider grants: only the header can hold it back.
    const client = new TwelveDataClient({
      baseUrl: emulator.url,
      apiKey: "demo",
      creditsPerWindow: 8,
      windowSeconds: 1,
      clock: time.clock,
    });
    await client.dailyBars(["AAPL", "MSFT"], WEEK);
    const started = performance.now();

    const result = await client.dailyBars(["AAPL", "MSFT"], WEEK);

    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(result.get("AAPL")?.ok).toBe(true);
    expect(emulator.counts().rateLimited).toBe(0);
  });

  it("does not pause on a spent window when told so (the pipeline's processors, spaced by their gate)", async () => {
    const time = realSpeed();
    emulator = await startFixtureEmulator({ ...time, creditsPerMinute: 2, windowSeconds: 1, creditsPerDay: null });
    // As in the test above, the client believes in more credits than the provider grants, but does not pause.
    const client = new TwelveDataClient({
      baseUrl: emulator.url,
      apiKey: "demo",
      creditsPerWindow: 8,
      windowSeconds: 1,
      clock: time.clock,
      pauseWhenSpent: false,
    });
    await client.dailyBars(["AAPL", "MSFT"], WEEK);
    const started = performance.now();

    await client.dailyBars(["AAPL", "MSFT"], WEEK).catch(() => undefined);

    // Sent at once, and refused: keeping within the plan is the gate's job there, and a 429 teaches it the share.
    expect(performance.now() - started).toBeLessThan(500);
    expect(emulator.counts().rateLimited).toBeGreaterThanOrEqual(1);
  });
});
