import { afterEach, describe, expect, it } from "vitest";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
import { manualClock } from "../../helpers/pinned-clock.ts";
import { AFTER_CLOSE, get, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const series = (symbols: string) => ({ symbol: symbols, interval: "1day", outputsize: "1" });
const EIGHT = "AAPL,MSFT,BRK.B,EUR/USD,AAPL,MSFT,BRK.B,EUR/USD";
const minuteText = (used: number, limit: number) =>
  `You have run out of API credits for the current minute. ${used} API credits were used, with the current limit being ${limit}. Wait for the next minute or consider switching to a higher tier plan at https://twelvedata.com/pricing`;

describe("credits per window, rolling", () => {
  it("refuses a request that would pass the limit within the last window, with the provider's exact text", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 8 });
    await get(emulator.url, "/time_series", series(EIGHT));
    clock.advance(59_999);

    const reply = await get(emulator.url, "/time_series", series("AAPL"));

    expect(reply.status).toBe(429);
    expect(reply.json).toEqual({ code: 429, message: minuteText(9, 8), status: "error" });
  });

  it("accepts again a full window after the last spend", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 8 });
    await get(emulator.url, "/time_series", series(EIGHT));
    clock.advance(60_000);

    const reply = await get(emulator.url, "/time_series", series("AAPL"));

    expect(reply.status).toBe(200);
  });

  it("spends nothing on a refused request", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 2 });
    await get(emulator.url, "/time_series", series("AAPL"));
    await get(emulator.url, "/time_series", series("AAPL,MSFT"));

    const reply = await get(emulator.url, "/time_series", series("MSFT"));

    expect(reply.status).toBe(200);
    expect(emulator.counts().credits).toBe(2);
  });

  it("answers a 429 with HTTP 200 under the body200 style", async () => {
    emulator = await startFixtureEmulator({ creditsPerMinute: 1, errorStyle: "body200" });

    const reply = await get(emulator.url, "/time_series", series("AAPL,MSFT"));

    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ code: 429, message: minuteText(2, 1), status: "error" });
  });

  it("uses the scaled window", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 8, windowSeconds: 1 });
    await get(emulator.url, "/time_series", series(EIGHT));
    clock.advance(1_000);

    const reply = await get(emulator.url, "/time_series", series(EIGHT));

    expect(reply.status).toBe(200);
    expect(emulator.counts().maxCreditsInAnyWindow).toBe(8);
  });
});

describe("credits per window, calendar", () => {
  it("resets at each multiple of the window since the epoch, letting two windows' worth through back to back", async () => {
    const windowStart = AFTER_CLOSE; // a whole minute
    const clock = manualClock(windowStart + 59_500);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 8, windowMode: "calendar" });
    await get(emulator.url, "/time_series", series(EIGHT));
    clock.set(windowStart + 60_100);

    const reply = await get(emulator.url, "/time_series", series(EIGHT));

    expect(reply.status).toBe(200);
    expect(emulator.counts().maxCreditsInAnyWindow).toBe(16);
  });

  it("refuses within the same calendar window", async () => {
    const clock = manualClock(AFTER_CLOSE + 1_000);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 8, windowMode: "calendar" });
    await get(emulator.url, "/time_series", series(EIGHT));
    clock.advance(58_000);

    const reply = await get(emulator.url, "/time_series", series("AAPL"));

    expect(reply.json).toEqual({ code: 429, message: minuteText(9, 8), status: "error" });
  });
});

describe("credits per day", () => {
  it("refuses past the day cap with the provider's exact text", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 8, creditsPerDay: 3 });
    await get(emulator.url, "/time_series", series("AAPL,MSFT"));
    clock.advance(60_000);

    const reply = await get(emulator.url, "/time_series", series("AAPL,MSFT"));

    expect(reply.status).toBe(429);
    expect(reply.json).toEqual({
      code: 429,
      message: "You have run out of API credits for the day. 4 API credits were used, with the current limit being 3.",
      status: "error",
    });
  });

  it("resets the day at 00:00 UTC", async () => {
    const clock = manualClock(Date.UTC(2026, 0, 20, 23, 59, 0));
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 8, creditsPerDay: 2 });
    await get(emulator.url, "/time_series", series("AAPL,MSFT"));
    clock.set(Date.UTC(2026, 0, 21, 0, 0, 1));

    const reply = await get(emulator.url, "/time_series", series("AAPL,MSFT"));

    expect(reply.status).toBe(200);
  });
});

describe("counts", () => {
  it("counts requests, credits, symbols, repeats and 429s by scope", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 3, creditsPerDay: 5 });
    await get(emulator.url, "/time_series", series("AAPL,msft"));
    await get(emulator.url, "/time_series", series("AAPL,BRK.B"));
    clock.advance(60_000);
    await get(emulator.url, "/time_series", series("AAPL,XYZ,BRK.B"));
    clock.advance(60_000);
    await get(emulator.url, "/time_series", series("MSFT"));

    expect(emulator.counts()).toEqual({
      requests: 4,
      credits: 5,
      symbolsRequested: 5,
      rateLimited: 2,
      rateLimitedMinute: 1,
      rateLimitedDay: 1,
      repeatedSymbols: ["AAPL"],
      bySymbol: { AAPL: 2, MSFT: 1, XYZ: 1, "BRK.B": 1 },
      maxCreditsInAnyWindow: 3,
      rateLimitedAt: [AFTER_CLOSE, AFTER_CLOSE + 120_000],
      chargedAt: [AFTER_CLOSE, AFTER_CLOSE + 60_000],
      partialAnswers: 0,
      symbolsRefused: 0,
      otherCredits: 0,
    });
  });

  it("starts the counts afresh after resetCounts", async () => {
    emulator = await startFixtureEmulator({ creditsPerMinute: 100 });
    await get(emulator.url, "/time_series", series("AAPL"));
    await get(emulator.url, "/time_series", series("AAPL"));

    emulator.resetCounts();
    await get(emulator.url, "/time_series", series("AAPL"));

    expect(emulator.counts()).toMatchObject({ requests: 1, credits: 1, repeatedSymbols: [], bySymbol: { AAPL: 1 } });
  });
});
