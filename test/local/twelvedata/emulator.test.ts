import { afterEach, describe, expect, it } from "vitest";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
import { AFTER_CLOSE, get, type SeriesBody, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

const BAD_KEY = {
  code: 401,
  message:
    "**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/pricing. If you believe that everything is correct, you can contact us at https://twelvedata.com/contact/customer",
  status: "error",
};
const aapl = { symbol: "AAPL", interval: "1day", outputsize: "1" };

describe("authentication", () => {
  it("accepts the key in the Authorization header", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/time_series", aapl, { authorization: "apikey demo" });

    expect(reply.status).toBe(200);
  });

  it("accepts the key as the apikey query parameter", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/time_series", { ...aapl, apikey: "demo" }, {});

    expect(reply.status).toBe(200);
  });

  it("answers a missing key with 401 and the provider's exact text", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/time_series", aapl, {});

    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(BAD_KEY);
  });

  it("answers a wrong key with the same 401", async () => {
    emulator = await startFixtureEmulator({ apiKeys: ["right"] });

    const reply = await get(emulator.url, "/time_series", aapl, { authorization: "apikey demo" });

    expect(reply.json).toEqual(BAD_KEY);
  });

  it("sends the error with HTTP 200 under the body200 style", async () => {
    emulator = await startFixtureEmulator({ errorStyle: "body200" });

    const reply = await get(emulator.url, "/time_series", aapl, {});

    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(BAD_KEY);
  });
});

describe("other endpoints", () => {
  it("reports usage on /api_usage, with the daily fields on a plan with a day cap", async () => {
    emulator = await startFixtureEmulator({ creditsPerMinute: 8, creditsPerDay: 800 });
    await get(emulator.url, "/time_series", { ...aapl, symbol: "AAPL,MSFT" });

    const reply = await get(emulator.url, "/api_usage");

    expect(reply.json).toEqual({
      timestamp: new Date(AFTER_CLOSE).toISOString().slice(0, 19).replace("T", " "),
      current_usage: 2,
      plan_limit: 8,
      daily_usage: 2,
      plan_daily_limit: 800,
      plan_category: "basic",
    });
  });

  it("leaves the daily fields out of /api_usage without a day cap", async () => {
    emulator = await startFixtureEmulator({ creditsPerDay: null });

    const reply = await get(emulator.url, "/api_usage");

    expect(reply.json).not.toHaveProperty("daily_usage");
    expect(reply.json).not.toHaveProperty("plan_daily_limit");
  });

  it("answers an unknown path with a 404 error body", async () => {
    emulator = await startFixtureEmulator();

    const reply = await get(emulator.url, "/quote_of_the_day");

    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ code: 404, status: "error" });
  });

  it("sends api-credits-used and api-credits-left on every answer", async () => {
    emulator = await startFixtureEmulator({ creditsPerMinute: 8 });

    const reply = await get(emulator.url, "/time_series", { ...aapl, symbol: "AAPL,MSFT,BRK.B" });

    expect(reply.headers.get("api-credits-used")).toBe("3");
    expect(reply.headers.get("api-credits-left")).toBe("5");
  });

  it("sends no credit headers when told not to", async () => {
    emulator = await startFixtureEmulator({ sendCreditHeaders: false });

    const reply = await get(emulator.url, "/time_series", aapl);

    expect(reply.headers.has("api-credits-left")).toBe(false);
  });
});

describe("faults", () => {
  it("answers html faults with a gateway's 502 page", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("html");

    const reply = await get(emulator.url, "/time_series", aapl);

    expect(reply.status).toBe(502);
    expect(reply.headers.get("content-type")).toContain("text/html");
    expect(reply.text).toContain("Bad Gateway");
  });

  it("answers 5xx faults with a JSON 500 error", async () => {
    emulator = await startFixtureEmulator();
    emulator.setFaults({ failNext: { kind: "5xx", count: 1 } });

    const reply = await get(emulator.url, "/time_series", aapl);

    expect(reply.status).toBe(500);
    expect(reply.json).toMatchObject({ code: 500, status: "error" });
  });

  it("answers malformed faults with a 200 whose JSON is cut short", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("malformed");

    const reply = await get(emulator.url, "/time_series", aapl);

    expect(reply.status).toBe(200);
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it("fails only the chosen symbol with a transient Data not found", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("404transient", 1, "MSFT");

    const reply = await get(emulator.url, "/time_series", { ...aapl, symbol: "AAPL,MSFT" });

    const body = reply.json as Record<string, SeriesBody>;
    expect(body.AAPL?.status).toBe("ok");
    expect(body.MSFT).toEqual({ code: 404, message: "Data not found", status: "error" });
  });

  it("applies queued faults to the next requests only, then answers normally", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("5xx", 2);

    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(emulator.url, "/time_series", aapl)).status);

    expect(statuses).toEqual([500, 500, 200]);
  });

  it("holds a timeout fault's request without answering", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("timeout");

    const attempt = get(emulator.url, "/time_series", aapl, { authorization: "apikey demo" }, AbortSignal.timeout(200));

    await expect(attempt).rejects.toThrow();
    expect((await get(emulator.url, "/time_series", aapl)).status).toBe(200);
  });

  it("drops held requests when it closes", async () => {
    emulator = await startFixtureEmulator();
    emulator.failNext("timeout");
    const held = get(emulator.url, "/time_series", aapl);
    await new Promise((resolve) => setTimeout(resolve, 50));

    await emulator.close();
    emulator = undefined;

    await expect(held).rejects.toThrow();
  });

  it("delays answers by latencyMs", async () => {
    emulator = await startFixtureEmulator();
    emulator.setFaults({ latencyMs: 150 });

    const started = performance.now();
    await get(emulator.url, "/time_series", aapl);

    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("fails every request at serverErrorRate 1 and none after clearFaults", async () => {
    emulator = await startFixtureEmulator();
    emulator.setFaults({ serverErrorRate: 1 });
    const during = (await get(emulator.url, "/time_series", aapl)).status;

    emulator.clearFaults();
    const after = (await get(emulator.url, "/time_series", aapl)).status;

    expect([during, after]).toEqual([500, 200]);
  });
});
