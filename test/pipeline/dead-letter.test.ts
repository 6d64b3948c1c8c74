import { afterAll, beforeAll, expect, it } from "vitest";
import { ProcessorFaults } from "../helpers/fault-injectors.ts";
import { startTestStack, type TestStack } from "../helpers/local-stack.ts";

/** Batch 2 of every session throws on every delivery: a poison message. */
const faults = new ProcessorFaults();
faults.poisonBatches.add(2);

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ wrapProcessor: faults.wrap, visibilityTimeoutSeconds: 1 });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

it("a batch that throws every time ends in the DLQ, is failed, and the session finishes with WorkflowFailed naming it", async () => {
  const symbols = t.sample.symbols.slice(0, 24);
  const started = await t.start({ symbols });

  const session = await t.waitForFinal(started.sessionId, 90_000);

  expect(session.status).toBe("failed");
  expect(session.counters).toMatchObject({ batchesDone: 2, batchesFailed: 1 });
  const batch = await t.stack.runtime.ctx.store.getBatch(started.sessionId, 2);
  expect(batch?.status).toBe("failed");
  const { results } = await t.stack.runtime.operations.allResults(started.sessionId);
  expect(results).toHaveLength(24);
  const errored = results.filter((r) => r.status === "error").map((r) => r.symbol);
  expect(errored.sort()).toEqual([...(batch?.symbols ?? [])].sort());
  const finals = t.finalEvents(started.sessionId);
  expect(finals.map((e) => e["detail-type"])).toEqual(["WorkflowFailed"]);
  const detail = finals[0]?.detail as { error: string; failedSymbols: { symbol: string }[]; nextAction: string };
  expect(detail.error).toMatch(/1 of 3 batches failed/);
  expect(detail.failedSymbols.map((f) => f.symbol)).toEqual(expect.arrayContaining(batch?.symbols ?? ["?"]));
  expect(detail.nextAction).toContain(`dq retry ${started.sessionId}`);
}, 120_000);
