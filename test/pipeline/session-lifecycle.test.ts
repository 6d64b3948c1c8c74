import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalFunction } from "../../local/aws/functions.ts";
import { startTestStack, type TestStack } from "../helpers/local-stack.ts";

/** Duplicate delivery, switchable per test: the processor runs every event twice at once. */
let duplicateDeliveries = false;
const duplicating =
  (handler: LocalFunction): LocalFunction =>
  async (event) => {
    if (!duplicateDeliveries) return handler(event);
    const [first] = await Promise.all([handler(event), handler(event)]);
    return first;
  };

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ batchSize: 4, wrapProcessor: duplicating });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

async function allResults(sessionId: string) {
  return (await t.stack.runtime.operations.allResults(sessionId)).results;
}

describe("a session on the local stack", () => {
  it("completes many batches with exactly one result per symbol and exactly one WorkflowCompleted", async () => {
    const symbols = t.sample.symbols.slice(0, 40);
    const started = await t.start({ symbols, lookbackDays: 10 });
    expect(started).toMatchObject({ status: "initiated", totalSymbols: 40, totalBatches: 10 });

    const session = await t.waitForFinal(started.sessionId);

    expect(session.status).toBe("completed");
    const results = await allResults(started.sessionId);
    expect(results.map((r) => r.symbol).sort()).toEqual([...symbols].sort());
    expect(session.counters.passed + session.counters.failed + session.counters.errored).toBe(40);
    expect(session.counters.batchesDone).toBe(10);
    const finals = t.finalEvents(started.sessionId);
    expect(finals.map((e) => e["detail-type"])).toEqual(["WorkflowCompleted"]);
    expect(finals[0]?.detail).toMatchObject({ sessionId: started.sessionId, status: "completed", creditsUsed: 40 });
  }, 60_000);

  it("reports every injected defect on its symbol and no error on a clean one", async () => {
    const started = await t.start({ lookbackDays: 10 });
    await t.waitForFinal(started.sessionId);
    const results = await allResults(started.sessionId);
    for (const result of results) {
      const expected = (t.sample.labels[result.symbol] ?? []).filter((c) => c !== "volume_mismatch");
      const errors = result.issues.filter((i) => i.severity === "error").map((i) => i.code);
      for (const code of expected)
        expect(
          result.issues.map((i) => i.code),
          result.symbol,
        ).toContain(code);
      for (const code of errors) expect(expected, `${result.symbol} ${code}`).toContain(code);
    }
  }, 90_000);

  it("spends no credit twice when every message is delivered twice", async () => {
    const symbols = t.sample.symbols.slice(0, 16);
    const emulator = t.stack.emulator;
    if (!emulator) throw new Error("no emulator");
    emulator.resetCounts();
    duplicateDeliveries = true;
    try {
      const started = await t.start({ symbols });
      await t.waitForFinal(started.sessionId);
    } finally {
      duplicateDeliveries = false;
    }
    const counts = emulator.counts();
    expect(counts.repeatedSymbols).toEqual([]);
    expect(counts.credits).toBe(16);
    expect(counts.rateLimited).toBe(0);
  }, 60_000);

  it("the same idempotency key never starts a second session", async () => {
    const symbols = t.sample.symbols.slice(0, 8);
    const [a, b] = await Promise.all([
      t.start({ symbols, idempotencyKey: "schedule:2026-11-30T04:30:00Z" }),
      t.start({ symbols, idempotencyKey: "schedule:2026-11-30T04:30:00Z" }),
    ]);
    expect(a.sessionId).toBe(b.sessionId);
    expect([a.status, b.status].sort()).toEqual(["duplicate", "initiated"]);
    await t.waitForFinal(a.sessionId);
    expect(t.finalEvents(a.sessionId)).toHaveLength(1);
  }, 60_000);

  it("a retry through the coordinator re-runs only the failed and errored symbols, as a new linked session", async () => {
    const first = await t.start({ symbols: t.sample.symbols.slice(0, 24) });
    await t.waitForFinal(first.sessionId);
    const failed = (await allResults(first.sessionId)).filter((r) => r.status !== "pass").map((r) => r.symbol);
    expect(failed.length).toBeGreaterThan(0);

    const retry = await t.start({ retry: first.sessionId, startedBy: { kind: "cli", user: "test" } });
    const session = await t.waitForFinal(retry.sessionId);

    expect(session.params.retryOf).toBe(first.sessionId);
    expect((await allResults(retry.sessionId)).map((r) => r.symbol).sort()).toEqual(failed.sort());
  }, 90_000);

  it("a cancelled session stops queueing, drops what arrives, and finishes as cancelled once", async () => {
    const emulator = t.stack.emulator;
    if (!emulator) throw new Error("no emulator");
    const started = await t.start({ symbols: t.sample.symbols.slice(0, 48) });
    // Let the first batches through, then cancel.
    await new Promise((r) => setTimeout(r, 1_200));
    await t.stack.runtime.operations.cancel(started.sessionId, "test");
    const session = await t.waitForFinal(started.sessionId);
    const creditsAtCancel = emulator.counts().credits;
    await new Promise((r) => setTimeout(r, 3_000));

    expect(session.status).toBe("cancelled");
    expect(session.counters.batchesDone).toBeLessThan(started.totalBatches);
    const finals = t.finalEvents(started.sessionId);
    expect(finals).toHaveLength(1);
    expect(finals[0]?.["detail-type"]).toBe("WorkflowFailed");
    expect(finals[0]?.detail).toMatchObject({ status: "cancelled", failureStep: "cancelled" });
    // In-flight batches may finish; nothing new is requested after that.
    expect(emulator.counts().credits - creditsAtCancel).toBeLessThanOrEqual(8);
  }, 60_000);

  it("rejects bad input with one line and creates nothing", async () => {
    const before = (await t.stack.runtime.operations.list(100)).items.length;
    await expect(t.start({ symbols: ["../etc/passwd"] })).rejects.toThrow(/invalid symbol/);
    await expect(t.start({ symbols: ["AAPL"], lookbackDays: 5000 })).rejects.toThrow(/lookbackDays/);
    await expect(t.start({ symbols: ["AAPL"], colour: "red" } as never)).rejects.toThrow(/colour|unrecognized/i);
    expect((await t.stack.runtime.operations.list(100)).items.length).toBe(before);
  });
});
