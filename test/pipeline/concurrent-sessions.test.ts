import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/local-stack.ts";

let t: TestStack;
beforeAll(async () => {
  // The emulator enforces the strict (rolling) reading of 8 credits per 1 s window.
  t = await startTestStack({ windowMode: "rolling" });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

it("two overlapping sessions on one account never exceed the plan together", async () => {
  const emulator = t.stack.emulator;
  if (!emulator) throw new Error("no emulator");
  const [a, b] = await Promise.all([
    t.start({ symbols: t.sample.symbols.slice(0, 32) }),
    t.start({ symbols: t.sample.symbols.slice(24, 56) }),
  ]);
  const [sa, sb] = await Promise.all([t.waitForFinal(a.sessionId), t.waitForFinal(b.sessionId)]);

  expect([sa.status, sb.status]).toEqual(["completed", "completed"]);
  const counts = emulator.counts();
  expect(counts.rateLimited).toBe(0);
  expect(counts.maxCreditsInAnyWindow).toBeLessThanOrEqual(8);
  expect(counts.credits).toBe(64);
  expect(sa.counters.creditsUsed + sb.counters.creditsUsed).toBe(64);
}, 90_000);
