import { afterAll, beforeAll, expect, it } from "vitest";
import type { ReferenceProvider } from "../../app/domain/ports.ts";
import {
  ProviderError,
  ProviderRateLimited,
  ProviderRefused,
  ProviderUnavailable,
} from "../../app/domain/provider-errors.ts";
import { startTestStack, type TestStack } from "../helpers/local-stack.ts";

/**
 * A provider that is not Twelve Data and throws only the domain's error family, one member per request: the
 * pipeline must tell them apart by class alone. Symbols starting with "REFUSED" meet a refused key.
 */
const script = [
  () =>
    new ProviderRateLimited("out of credits", {
      provider: "Fake",
      status: 429,
      attempts: 1,
      scope: "minute",
      creditsUsed: 9,
      creditsLimit: 8,
    }),
  () => new ProviderUnavailable("down", { provider: "Fake", status: 503, attempts: 1 }),
  () => new ProviderUnavailable("down again", { provider: "Fake", status: 503, attempts: 1 }),
  () => new ProviderError("request rejected", { provider: "Fake", status: 400, attempts: 1 }),
];
const requests: string[][] = [];
const refusedRequests: string[][] = [];
const provider: ReferenceProvider = {
  async dailyBars(symbols) {
    if (symbols[0]?.startsWith("REFUSED")) {
      refusedRequests.push([...symbols]);
      throw new ProviderRefused("key refused", { provider: "Fake", status: 401, attempts: 1 });
    }
    requests.push([...symbols]);
    throw (script[requests.length - 1] ?? script.at(-1))?.();
  },
};

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ provider });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

it("a refused key stops the session at once, with the reason, instead of failing batch after batch", async () => {
  const symbols = ["REFUSED1", "REFUSED2", "REFUSED3"];
  const started = await t.start({ symbols });

  const session = await t.waitForFinal(started.sessionId, 60_000);

  expect(refusedRequests).toHaveLength(1);
  expect(session.status).toBe("failed");
  expect(session.error).toMatch(/refused the API key: key refused/);
  expect(t.finalEvents(started.sessionId).map((e) => e["detail-type"])).toEqual(["WorkflowFailed"]);
  // Nothing was validated, and a retry re-runs every symbol.
  const request = await t.stack.runtime.operations.retryRequest(started.sessionId, { kind: "retry" });
  expect(request.symbols).toEqual(symbols);
}, 90_000);

it("a rate limit re-queues without a failure; any other provider error counts as one until the batch fails", async () => {
  const symbols = t.sample.symbols.slice(0, 8);
  const started = await t.start({ symbols });

  const session = await t.waitForFinal(started.sessionId, 60_000);

  expect(requests).toHaveLength(4);
  expect(session.status).toBe("failed");
  const batch = await t.stack.runtime.ctx.store.getBatch(started.sessionId, 1);
  expect(batch).toMatchObject({ status: "failed", providerFailures: 3 });
  expect(batch?.error).toContain("request rejected");
  // The first two failures re-queued the batch, each wasting its 8 credits; the provider charges nothing for a
  // request it refused for lack of credits, so the rate-limited one wasted none.
  expect(session.counters.creditsWasted).toBe(2 * 8);
  const { results } = await t.stack.runtime.operations.allResults(started.sessionId);
  expect(results.map((r) => r.status)).toEqual(symbols.map(() => "error"));
  const rateLimited = t.logs.find((l) => l.message === "provider rate limit: batch re-queued");
  expect(rateLimited?.extra).toMatchObject({ scope: "minute", creditsUsed: 9, creditsLimit: 8 });
}, 90_000);
