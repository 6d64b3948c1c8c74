import { afterEach, describe, expect, it } from "vitest";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
import { parseOtherConsumer } from "../../../local/twelvedata/other-consumer.ts";
import { manualClock } from "../../helpers/pinned-clock.ts";
import { AFTER_CLOSE, get, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const series = (symbols: string) => ({ symbol: symbols, interval: "1day", outputsize: "1" });
const EIGHT = "AAPL,MSFT,BRK.B,EUR/USD,SPY,QQQ,IBM,TSLA";
const usage = async (url: string) => (await get(url, "/api_usage")).json as { current_usage: number };

describe("another consumer of the key", () => {
  it("greedy: holds 3 of every window, taking them back the moment they come free", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({
      clock: clock.now,
      creditsPerMinute: 8,
      otherConsumer: { kind: "greedy", credits: 3 },
    });
    expect((await usage(emulator.url)).current_usage).toBe(3);

    const refused = await get(emulator.url, "/time_series", series(EIGHT));
    expect(refused.status).toBe(429);
    expect(JSON.stringify(refused.json)).toContain("11 API credits were used, with the current limit being 8");
    clock.advance(60_000);
    // Its 3 came free at this very instant, and it took them again first: 5 are left, not 8.
    const served = await get(emulator.url, "/time_series", series("AAPL,MSFT,BRK.B,EUR/USD,SPY"));
    expect(served.status).toBe(200);
    expect(served.headers.get("api-credits-used")).toBe("8");
    expect(served.headers.get("api-credits-left")).toBe("0");
    expect(emulator.counts()).toMatchObject({ credits: 5, otherCredits: 6, maxCreditsInAnyWindow: 8 });
  });

  it("bursty: takes its burst at each period, as much of it as is free", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({
      clock: clock.now,
      creditsPerMinute: 8,
      otherConsumer: { kind: "bursty", credits: 6, everyMs: 90_000 },
    });
    expect((await usage(emulator.url)).current_usage).toBe(6);
    clock.advance(60_000);
    expect((await usage(emulator.url)).current_usage).toBe(0);
    await get(emulator.url, "/time_series", series("AAPL,MSFT,BRK.B,EUR/USD"));
    clock.advance(30_000);
    // The burst at 90 s finds 4 credits free.
    expect((await usage(emulator.url)).current_usage).toBe(8);
    expect(emulator.counts().otherCredits).toBe(10);
  });

  it("hog: takes the whole plan for a while, then leaves it", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({ clock: clock.now, creditsPerMinute: 8 });
    emulator.setOtherConsumer({ kind: "hog", forMs: 120_000 });
    expect((await get(emulator.url, "/time_series", series("AAPL"))).status).toBe(429);
    clock.advance(60_000);
    expect((await get(emulator.url, "/time_series", series("AAPL"))).status).toBe(429);
    clock.advance(60_001);
    expect((await get(emulator.url, "/time_series", series("AAPL"))).status).toBe(200);
    expect(emulator.counts()).toMatchObject({ otherCredits: 16, rateLimited: 2 });
  });

  it("reads its command-line spelling", () => {
    expect(parseOtherConsumer("greedy:3")).toEqual({ kind: "greedy", credits: 3 });
    expect(parseOtherConsumer("bursty:6:5000")).toEqual({ kind: "bursty", credits: 6, everyMs: 5000 });
    expect(parseOtherConsumer("hog:30000")).toEqual({ kind: "hog", forMs: 30000 });
    expect(() => parseOtherConsumer("polite:1")).toThrow(RangeError);
  });
});

describe("partial answers", () => {
  it("serves the symbols that fit and answers a 429 entry for each of the others, charging only the served", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({
      clock: clock.now,
      creditsPerMinute: 8,
      partialAnswers: true,
      otherConsumer: { kind: "greedy", credits: 3 },
    });

    const reply = await get(emulator.url, "/time_series", series(EIGHT));

    expect(reply.status).toBe(200);
    const body = reply.json as Record<string, { status: string; code?: number; message?: string }>;
    const refused = Object.entries(body).filter(([, entry]) => entry.code === 429);
    expect(refused.map(([symbol]) => symbol)).toEqual(["QQQ", "IBM", "TSLA"]);
    expect(refused[0]?.[1].message).toContain("11 API credits were used, with the current limit being 8");
    expect(reply.headers.get("api-credits-used")).toBe("8");
    expect(emulator.counts()).toMatchObject({
      credits: 5,
      partialAnswers: 1,
      symbolsRefused: 3,
      rateLimitedAt: [AFTER_CLOSE],
      repeatedSymbols: [],
    });
  });
});
