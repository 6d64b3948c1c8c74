import { afterEach, describe, expect, it } from "vitest";
import { TwelveDataClient, type TwelveDataClientOptions } from "../../../app/adapters/twelvedata/client.ts";
import {
  ProviderAuthError,
  ProviderRequestError,
  ProviderUnavailableError,
  RateLimitError,
  TwelveDataUsageError,
} from "../../../app/adapters/twelvedata/errors.ts";
import {
  ProviderError,
  ProviderRateLimited,
  ProviderRefused,
  ProviderUnavailable,
} from "../../../app/domain/provider-errors.ts";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
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
    // The emulators here keep a fixed clock, so a short client window only shortens the client's own pauses.
    windowSeconds: 0.05,
    backoffBaseMs: 5,
    clock: () => AFTER_CLOSE,
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("errors the provider answers", () => {
  it("throws ProviderAuthError on a refused key, without retrying", async () => {
    emulator = await startFixtureEmulator();

    const error = await failure(clientFor(emulator, { apiKey: "wrong" }).dailyBars(["AAPL"], WEEK));

    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error).toBeInstanceOf(ProviderRefused);
    expect(error).toMatchObject({ provider: "Twelve Data", status: 401, attempts: 1 });
    expect(emulator.counts().requests).toBe(1);
  });

  it.each(["status", "body200"] as const)(
    "throws a minute RateLimitError on a minute 429 (%s style)",
    async (style) => {
      emulator = await startFixtureEmulator({ creditsPerMinute: 2, errorStyle: style });
      const client = clientFor(emulator);
      await client.dailyBars(["AAPL", "MSFT"], WEEK);

      const error = await failure(client.dailyBars(["AAPL"], WEEK));

      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toBeInstanceOf(ProviderRateLimited);
      expect(error).toMatchObject({ scope: "minute", retryAfterMs: 50, status: 429, creditsLimit: 2 });
      expect((error as ProviderRateLimited).creditsUsed).toBeGreaterThan(2);
    },
  );

  it.each(["status", "body200"] as const)("throws a day RateLimitError on a day 429 (%s style)", async (style) => {
    emulator = await startFixtureEmulator({ creditsPerMinute: 100, creditsPerDay: 2, errorStyle: style });
    const client = clientFor(emulator);
    await client.dailyBars(["AAPL", "MSFT"], WEEK);

    const error = await failure(client.dailyBars(["AAPL"], WEEK));

    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toBeInstanceOf(ProviderRateLimited);
    expect(error).toMatchObject({ scope: "day", retryAfterMs: 2 * 3600_000, creditsLimit: 2 });
    expect((error as ProviderRateLimited).creditsUsed).toBeGreaterThan(2);
  });

  it("throws ProviderRequestError when the request as a whole is refused", async () => {
    emulator = await startFixtureEmulator();

    const error = await failure(
      clientFor(emulator, { baseUrl: `${emulator.url}/v0` }).dailyBars(["AAPL", "MSFT"], WEEK),
    );

    expect(error).toBeInstanceOf(ProviderRequestError);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).not.toBeInstanceOf(ProviderRefused);
    expect(error).toMatchObject({ status: 404, attempts: 1 });
  });
});

describe("retries", () => {
  it.each(["5xx", "html", "malformed"] as const)("retries a %s answer and then succeeds", async (kind) => {
    emulator = await startFixtureEmulator();
    emulator.failNext(kind, 2);

    const result = await clientFor(emulator).dailyBars(["AAPL"], WEEK);

    expect(result.get("AAPL")?.ok).toBe(true);
    expect(emulator.counts().requests).toBe(3);
  });

  it("retries a 5xx sent with HTTP 200 under the body200 style", async () => {
    emulator = await startFixtureEmulator({ errorStyle: "body200" });
    emulator.failNext("5xx", 1);

    const result = await clientFor(emulator).dailyBars(["AAPL"], WEEK);

    expect(result.get("AAPL")?.ok).toBe(true);
  });

  it("gives up on an attempt that gets no answer within timeoutMs and retries", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("timeout", 1);

    const result = await clientFor(emulator, { timeoutMs: 200 }).dailyBars(["AAPL"], WEEK);

    expect(result.get("AAPL")?.ok).toBe(true);
    expect(emulator.counts().requests).toBe(2);
  });

  it("throws ProviderUnavailableError with the last cause once attempts run out", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("html", 3);

    const error = await failure(clientFor(emulator).dailyBars(["AAPL"], WEEK));

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toBeInstanceOf(ProviderUnavailable);
    expect(error).toMatchObject({ attempts: 3, status: 502 });
    expect(String((error as Error).cause)).toContain("non-JSON");
    expect(emulator.counts().requests).toBe(3);
  });

  it("throws ProviderUnavailableError when nothing listens", async () => {
    emulator = await startFixtureEmulator();
    const url = emulator.url;
    await emulator.close();
    emulator = undefined;

    const error = await failure(
      new TwelveDataClient({
        baseUrl: url,
        apiKey: "demo",
        creditsPerWindow: 8,
        windowSeconds: 0.05,
        backoffBaseMs: 5,
        clock: () => AFTER_CLOSE,
      }).dailyBars(["AAPL"], WEEK),
    );

    expect(error).toBeInstanceOf(ProviderUnavailableError);
  });
});

describe("the API key", () => {
  const key = "k3y-that-must-not-leak";

  const chain = (error: unknown): string => {
    const parts: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(`${e.name}: ${e.message}`);
    return parts.join(" <- ");
  };

  it("stays out of the errors of a client that sends it in the query", async () => {
    emulator = await startFixtureEmulator({ apiKeys: [key] });
    emulator.failNext("timeout", 1);
    emulator.failNext("html", 2);

    const error = await failure(
      clientFor(emulator, { apiKey: key, authIn: "query", timeoutMs: 100 }).dailyBars(["AAPL"], WEEK),
    );

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(chain(error)).not.toContain(key);
  });

  it("stays out of a refused key's error", async () => {
    emulator = await startFixtureEmulator();

    const error = await failure(clientFor(emulator, { apiKey: key, authIn: "query" }).dailyBars(["AAPL"], WEEK));

    expect(chain(error)).not.toContain(key);
  });
});

describe("requests refused before sending", () => {
  it("refuses more symbols than one window's credits", async () => {
    emulator = await startFixtureEmulator();

    const error = await failure(
      clientFor(emulator, { creditsPerWindow: 2 }).dailyBars(["AAPL", "MSFT", "BRK.B"], WEEK),
    );

    expect(error).toBeInstanceOf(TwelveDataUsageError);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ attempts: 0 });
    expect(emulator.counts().requests).toBe(0);
  });

  it("refuses a symbol that could smuggle a second symbol or parameter in", async () => {
    emulator = await startFixtureEmulator();

    const error = await failure(clientFor(emulator).dailyBars(["AAPL,MSFT"], WEEK));

    expect(error).toBeInstanceOf(TwelveDataUsageError);
  });

  it("refuses a range that ends before it starts", async () => {
    emulator = await startFixtureEmulator();

    const error = await failure(
      clientFor(emulator).dailyBars(["AAPL"], { startDate: "2026-01-16", endDate: "2026-01-12" }),
    );

    expect(error).toBeInstanceOf(TwelveDataUsageError);
  });
});
