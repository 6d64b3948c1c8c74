import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TwelveDataClient } from "../../../app/adapters/twelvedata/client.ts";
import { RateLimitError } from "../../../app/adapters/twelvedata/errors.ts";
import type { KeyUsage } from "../../../app/domain/ports.ts";
import type { TwelveDataEmulator, TwelveDataEmulatorOptions } from "../../../local/twelvedata/emulator.ts";
import { manualClock } from "../../helpers/pinned-clock.ts";
import { AFTER_CLOSE, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";

let emulator: TwelveDataEmulator | undefined;
let closeProxy: (() => void) | undefined;
afterEach(async () => {
  closeProxy?.();
  closeProxy = undefined;
  await emulator?.close();
  emulator = undefined;
});

/**
 * A gateway in front of the emulator that drops the credit headers and the figures of a 429's message, as some
 * answers come: the client has to ask /api_usage.
 */
async function tightLipped(target: string): Promise<string> {
  const server = createServer((request, response) => {
    void (async () => {
      const answer = await fetch(`${target}${request.url ?? "/"}`, {
        headers: { authorization: request.headers.authorization ?? "" },
      });
      const text = (await answer.text()).replace(/ \d+ API credits were used, with the current limit being \d+\./, "");
      response.writeHead(answer.status, { "content-type": "application/json" }).end(text);
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closeProxy = () => {
    server.closeAllConnections();
    server.close();
  };
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const WEEK = { startDate: "2026-01-12", endDate: "2026-01-16" };
const FOUR = ["AAPL", "MSFT", "BRK.B", "EUR/USD"];

/** An emulator whose other consumer holds `taken` of the window's 8 credits, and a client of the same key. */
async function sharedKey(taken: number, options: Partial<TwelveDataEmulatorOptions> = {}, throughProxy = false) {
  const clock = manualClock(AFTER_CLOSE);
  emulator = await startFixtureEmulator({
    clock: clock.now,
    creditsPerMinute: 8,
    otherConsumer: { kind: "greedy", credits: taken },
    ...options,
  });
  const client = new TwelveDataClient({
    baseUrl: throughProxy ? await tightLipped(emulator.url) : emulator.url,
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

  it("a refusal that says nothing of the window: /api_usage, which costs nothing, does", async () => {
    const { ask, heard } = await sharedKey(6, {}, true);

    await expect(ask(FOUR)).rejects.toBeInstanceOf(RateLimitError);

    expect(heard).toEqual([{ others: 6, limit: 8, overflow: 2 }]);
    expect(emulator?.counts().credits).toBe(0);
  });
});
