import { afterAll, beforeAll, expect, it } from "vitest";
import { LocalClock } from "../../local/clock.ts";
import { startTestStack, type TestStack } from "../helpers/local-stack.ts";
import { testStartInstant } from "../helpers/pinned-clock.ts";
import { waitUntil } from "../helpers/wait-until.ts";

/**
 * Noon UTC of the pinned start's day. The cap must run out more than the pump's 15-minute horizon before a midnight,
 * or the session wakes by a delayed pump message instead of the one-time schedule this test is about (and SQS delays
 * run in real time, so moving the stack's clock cannot hasten them); started just before midnight, the first day
 * would also hold only part of the cap. The date still follows DQ_TEST_START: month ends, DST changes, weekends.
 */
const NOON_OF_START_DAY = Date.parse(`${new Date(testStartInstant()).toISOString().slice(0, 10)}T12:00:00Z`);

let t: TestStack;
beforeAll(async () => {
  // 16 credits per UTC day, for the ledger and for the emulator alike; both read the stack's clock.
  t = await startTestStack({ creditsPerDay: 16, clock: new LocalClock(NOON_OF_START_DAY) });
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

async function waitUntilNothingInFlight(sessionId: string): Promise<void> {
  const store = t.stack.runtime.ctx.store;
  await waitUntil(
    async () => {
      const queued = await store.listBatches(sessionId, { status: "queued", limit: 1 });
      const processing = await store.listBatches(sessionId, { status: "processing", limit: 1 });
      return queued.items.length === 0 && processing.items.length === 0;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: "no batch queued or processing" },
  );
}

it("the day cap pauses a session and the one-time schedule resumes it the next UTC day", async () => {
  const emulator = t.stack.emulator;
  if (!emulator) throw new Error("no emulator");
  const started = await t.start({ symbols: t.sample.symbols.slice(0, 40) });
  const store = t.stack.runtime.ctx.store;
  const pauses: string[] = [];
  const deadline = Date.now() + 90_000;
  for (;;) {
    const session = await store.getSession(started.sessionId);
    if (session?.status !== "running") break;
    if (session.pausedUntil && !pauses.includes(session.pausedUntil)) {
      pauses.push(session.pausedUntil);
      // Nothing has resumed it from this pause yet: the stack's clock has not reached its end. (A resume of an
      // earlier pause may have fired twice, its schedule re-ensured by a pump that ran while it fired, under load:
      // a second resume of a running session is a no-op.)
      const early = t.stack.scheduler
        .fired()
        .filter((f) => Date.parse(f.scheduledTime) >= Date.parse(session.pausedUntil as string));
      expect(early, JSON.stringify(t.stack.scheduler.fired().map((f) => [f.scheduleName, f.scheduledTime]))).toEqual(
        [],
      );
      // The day's queued batches run first (within the day); then the clock moves on.
      await waitUntilNothingInFlight(started.sessionId);
      // The scheduler's clock is simulated: jump to the resume time and let the one-time schedule fire.
      t.stack.clock.advanceTo(Date.parse(session.pausedUntil) + 1_000);
      await t.stack.scheduler.fireDue();
    }
    if (Date.now() > deadline) throw new Error("the session did not finish");
    await new Promise((r) => setTimeout(r, 100));
  }
  const session = await t.waitForFinal(started.sessionId);

  expect(session.status).toBe("completed");
  // 40 credits at 16 a day take three days, so at least two pauses (a batch whose slot expires under load re-queues).
  expect(pauses.length).toBeGreaterThanOrEqual(2);
  for (const p of pauses) expect(p).toMatch(/T00:00:00(\.000)?Z$/);
  const resumes = t.stack.scheduler.fired().filter((f) => f.scheduleName === `resume-${started.sessionId}`);
  expect(resumes.length).toBeGreaterThanOrEqual(2);
  expect(emulator.counts().rateLimited).toBe(0);
  expect(emulator.counts().credits).toBe(40);
}, 120_000);
