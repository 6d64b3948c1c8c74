import { afterEach, describe, expect, it } from "vitest";
import { TwelveDataClient } from "../../../app/adapters/twelvedata/client.ts";
import { RateLimitError } from "../../../app/adapters/twelvedata/errors.ts";
import type { KeyUsage } from "../../../app/domain/ports.ts";
import type { TwelveDataEmulator, TwelveDataEmulatorOptions } from "../../../local/twelvedata/emulator.ts";
import { manualClock } from "../../helpers/pinned-clock.ts";
import { AFTER_CLOSE, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const WEEK = { startDate: "2026-01-12", endDate: "2026-01-16" };
const FOUR = ["AAPL", "MSFT", "BRK.B", "EUR/USD"];

/** An emulator whose other consumer holds `taken` of the window's 8 credits, and a client of the same key. */
async function sharedKey(taken: number, options: Partial<TwelveDataEmulatorOptions> = {}) {
  const clock = manualClock(AFTER_CLOSE);
  emulator = await startFixtureEmulator({
    clock: clock.now,
    creditsPerMinute: 8,
    otherConsumer: { kind: "greedy", credits: taken },
    ...options,
  });
  const client = new TwelveDataClient({
    baseUrl: emulator.url,
    apiKey: "demo",
    creditsPerWindow: 8,
    windowSeconds: 60,
    maxAttempts: 1,
    clock: clock.now,
  });
  const heard: KeyUsage[] = [];
  const ask = (symbols: string[]) => client.dailyBars(symbols, WEEK, (usage) => heard.push(usage));
  return { ask, heard };
}

describe("what the client hears of a shared key", () => {
  it("a served request: what the credit headers count beside it", async () => {
    const { ask, heard } = await sharedKey(3);

    await ask(FOUR);

    expect(heard).toEqual([{ others: 3, limit: 8, overflow: 0 }]);
  });

  it("a refused request, from the 429's numbers when no header came", async () => {
    const { ask, heard } = await sharedKey(6, { sendCreditHeaders: false });

    await expect(ask(FOUR)).rejects.toBeInstanceOf(RateLimitError);

    // "10 API credits were used, with the current limit being 8": 6 held by others, 2 past the limit.
    expect(heard).toEqual([{ others: 6, limit: 8, overflow: 2 }]);
  });

  it("a partial answer: the refused symbols are the overflow", async () => {
    const { ask, heard } = await sharedKey(6, { partialAnswers: true });

    const answer = await ask(FOUR);

    expect([...answer.values()].filter((o) => !o.ok && o.code === 429)).toHaveLength(2);
    expect(heard).toEqual([{ others: 6, limit: 8, overflow: 2 }]);
  });
});
