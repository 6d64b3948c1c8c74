import { expect } from "vitest";
import { TwelveDataClient } from "../../app/adapters/twelvedata/client.ts";
import { createProcessorHandler } from "../../app/handlers/processor.ts";
import { createPipelineRuntime } from "../../app/runtime/pipeline-runtime.ts";
import { asLocalFunction } from "../../local/aws/lambda-context.ts";
import { spendElsewhere } from "../helpers/fault-injectors.ts";
import { API_KEY, CREDITS_PER_WINDOW, type Reliability, WINDOW_SECONDS } from "./harness.ts";
import { type Scenario, scenarioSuite } from "./scenario.ts";

/**
 * Faults of the provider and of time: 5xx, gateway pages, cut JSON, timeouts, transient 404s, another consumer of
 * the same key, clocks that disagree, and operators racing a running session. The emulator enforces the strict
 * (rolling) reading of the window: an over-spend by dq would be a 429, and none is allowed without a cause.
 */
async function erroredSymbols(r: Reliability, sessionId: string): Promise<string[]> {
  const { results } = await r.stack.runtime.operations.allResults(sessionId);
  return results.filter((x) => x.status === "error").map((x) => x.symbol);
}

const scenarios: Scenario[] = [
  {
    name: "provider 5xx, a gateway's HTML page and cut-short JSON: each batch is re-queued and then validated",
    async run(r) {
      r.emulator.failNext("5xx", 1);
      r.emulator.failNext("html", 1);
      r.emulator.failNext("malformed", 1);
      r.faults.add("provider 5xx");
      r.faults.add("provider html gateway page");
      r.faults.add("provider malformed json");
      const started = await r.start({ symbols: r.sample.symbols.slice(0, 32) });
      const session = await r.waitForFinal(started.sessionId);
      expect(session.status).toBe("completed");
      expect(await erroredSymbols(r, started.sessionId)).toEqual([]);
      // The emulator charges before a fault plays: those credits are wasted, and counted.
      expect(session.counters.creditsWasted).toBe(3 * 8);
      return { sessionIds: [started.sessionId] };
    },
  },
  {
    name: "a provider request that never answers times out, and its batch is re-queued",
    async run(r) {
      r.emulator.failNext("timeout", 1);
      r.faults.add("provider timeout");
      const started = await r.start({ symbols: r.sample.symbols.slice(32, 48) });
      const session = await r.waitForFinal(started.sessionId);
      expect(session.status).toBe("completed");
      expect(await erroredSymbols(r, started.sessionId)).toEqual([]);
      expect(
        r.logs.some(
          (l) => l.message === "provider unavailable for a batch" && /no answer within/.test(String(l.extra?.error)),
        ),
      ).toBe(true);
      return { sessionIds: [started.sessionId] };
    },
  },
  {
    name: "a transient 404 fails only its symbol, and a retry of the session validates it",
    async run(r) {
      const symbols = r.sample.symbols.slice(0, 16).filter((s) => (r.sample.labels[s] ?? []).length === 0);
      const victim = symbols[0] as string;
      r.emulator.failNext("404transient", 1, victim);
      r.faults.add("provider transient 404");
      const first = await r.start({ symbols });
      await r.waitForFinal(first.sessionId);
      expect(await erroredSymbols(r, first.sessionId)).toEqual([victim]);
      const retry = await r.stack.runtime.operations.retry(first.sessionId, { kind: "cli", user: "test" });
      const session = await r.waitForFinal(retry.sessionId);
      expect(session.totalSymbols).toBe(1);
      expect(await erroredSymbols(r, retry.sessionId)).toEqual([]);
      return { sessionIds: [first.sessionId, retry.sessionId] };
    },
  },
  {
    name: "a 429 storm from another consumer of the same key: every 429 is counted, nothing fails",
    async run(r) {
      const others = r.market.symbols().filter((s) => !r.sample.symbols.slice(0, 24).includes(s));
      const started = await r.start({ symbols: r.sample.symbols.slice(0, 24) });
      const external = { accepted: 0, rateLimited: 0, credits: 0 };
      const until = Date.now() + 2_500;
      while (Date.now() < until) {
        const spent = await spendElsewhere(r.proxy.url, API_KEY, others.slice(0, 3));
        external.accepted += spent.accepted;
        external.rateLimited += spent.rateLimited;
        external.credits += spent.accepted * 3;
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      r.faults.add("credits spent by another consumer", external.credits);
      const session = await r.waitForFinal(started.sessionId, 60_000);
      expect(session.status).toBe("completed");
      expect(await erroredSymbols(r, started.sessionId)).toEqual([]);
      expect(external.credits).toBeGreaterThan(CREDITS_PER_WINDOW);
      return {
        sessionIds: [started.sessionId],
        allow: { rateLimits: true, external429s: external.rateLimited, externalCredits: external.credits },
      };
    },
  },
  {
    name: "every other delivery goes to a worker whose clock runs 150 ms (9 s at full scale) ahead",
    async run(r) {
      const skewMs = 150;
      const skewed = () => r.clock.now() + skewMs;
      const runtime = await createPipelineRuntime({
        env: process.env,
        clock: skewed,
        log: r.log,
        metrics: r.metrics,
        settings: { leaseMs: r.options.leaseMs },
        provider: new TwelveDataClient({
          baseUrl: r.proxy.url,
          apiKey: API_KEY,
          creditsPerWindow: CREDITS_PER_WINDOW,
          windowSeconds: WINDOW_SECONDS,
          timeoutMs: r.options.providerTimeoutMs,
          maxAttempts: 1,
          clock: skewed,
        }),
      });
      r.processor.alternate = asLocalFunction(
        "processor",
        createProcessorHandler(() => Promise.resolve(runtime)),
      );
      const started = await r.start({ symbols: r.sample.symbols.slice(8, 40) });
      const session = await r.waitForFinal(started.sessionId, 60_000);
      expect(session.status).toBe("completed");
      expect(await erroredSymbols(r, started.sessionId)).toEqual([]);
      expect(r.faults.get("delivery to a skewed worker")).toBeGreaterThan(0);
      // Skew beyond the margin may cost a 429 (never a data failure): allowed, and counted by the invariants.
      return { sessionIds: [started.sessionId], allow: { rateLimits: true } };
    },
  },
  {
    name: "the shared clock steps 3 windows forward mid-run: past slots are re-reserved, nothing is lost",
    async run(r) {
      const started = await r.start({ symbols: r.sample.symbols.slice(0, 32) });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      r.clock.advanceTo(r.clock.now() + 3_000);
      r.faults.add("clock step forward");
      const session = await r.waitForFinal(started.sessionId, 60_000);
      expect(session.status).toBe("completed");
      expect(await erroredSymbols(r, started.sessionId)).toEqual([]);
      return { sessionIds: [started.sessionId] };
    },
  },
  {
    name: "cancel twice and retry, all at once, while the session runs: one cancel wins, one final event",
    async run(r) {
      const started = await r.start({ symbols: r.sample.symbols.slice(0, 48) });
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const ops = r.stack.runtime.operations;
      const outcomes = await Promise.allSettled([
        ops.cancel(started.sessionId, "alice"),
        ops.cancel(started.sessionId, "bob"),
        ops.retry(started.sessionId, { kind: "cli", user: "carol" }),
      ]);
      r.faults.add("racing operator commands", 3);
      const session = await r.waitForFinal(started.sessionId);
      expect(session.status).toBe("cancelled");
      const ids = [started.sessionId];
      const retried = outcomes[2];
      if (retried.status === "fulfilled") ids.push(retried.value.sessionId);
      else expect(String(retried.reason)).toMatch(/still running|no failed/);
      for (const id of ids.slice(1)) await r.waitForFinal(id);
      return { sessionIds: ids };
    },
  },
  {
    name: "four coordinators started at once for the same scheduled run make one session",
    async run(r) {
      const key = `schedule:${new Date(r.clock.now()).toISOString()}`;
      const input = {
        symbols: r.sample.symbols.slice(0, 16),
        idempotencyKey: key,
        startedBy: { kind: "schedule" as const },
      };
      const all = await Promise.all([r.start(input), r.start(input), r.start(input), r.start(input)]);
      r.faults.add("concurrent coordinator invocation", 3);
      expect(new Set(all.map((a) => a.sessionId)).size).toBe(1);
      expect(all.filter((a) => a.status === "initiated")).toHaveLength(1);
      const id = all[0]?.sessionId as string;
      await r.waitForFinal(id);
      return { sessionIds: [id] };
    },
  },
  {
    name: "heavy: 160 symbols under 10% provider 5xx, duplicated deliveries and throttling at once",
    heavy: true,
    timeoutMs: 300_000,
    async run(r) {
      r.emulator.setFaults({ serverErrorRate: 0.1 });
      r.processor.duplicate = true;
      r.dynamo.throttle(200, { every: 5 });
      const started = await r.start({ symbols: r.market.symbols().slice(0, 160) });
      const session = await r.waitForFinal(started.sessionId, 240_000);
      expect(session.status === "completed" || session.status === "failed").toBe(true);
      r.faults.add("provider 5xx (10% of requests)", session.counters.creditsWasted / 8);
      // A throttle that outlasts the SDK's retries at the batch's last write acts as a crash (at most a few).
      return { sessionIds: [started.sessionId], allow: { crashRecharges: 3 * 8 } };
    },
  },
];

scenarioSuite("provider, time and operator faults", "provider-faults", scenarios, { windowMode: "rolling" });
