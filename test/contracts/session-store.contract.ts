import { describe, expect, it } from "vitest";
import { InvalidCursorError } from "../../app/adapters/dynamodb/errors.ts";
import { NotFoundError, type SessionStore } from "../../app/pipeline/ports.ts";
import { batchRecord, sessionRecord, storedResult } from "../helpers/session-records.ts";
import { raceOrSerial } from "./races.ts";

export const NOW = Date.parse("2025-03-04T04:30:00Z");

/** A fresh, empty store of the implementation under test, reading NOW from its clock. */
export type NewStore = () => Promise<SessionStore>;

async function listAll<T>(fetch: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return items;
}

/**
 * The SessionStore port's contract: what the pipeline relies on, run against every implementation (DynamoDB on
 * dynalite and on moto, the simulation's in-memory store), so the simulation's store cannot drift from DynamoDB.
 */
export function sessionStoreContract(
  newStore: NewStore,
  options: {
    /**
     * Whether racing conditional writes to one item are serialized, as DynamoDB guarantees. moto_server checks a
     * condition and writes without a lock, so there the racing cases run one after the other. @default true
     */
    serializesRaces?: boolean;
  } = {},
): void {
  const race = raceOrSerial(options.serializesRaces);
  async function withBatches(count: number, overrides: Parameters<typeof batchRecord>[2] = {}): Promise<SessionStore> {
    const store = await newStore();
    await store.createSession(sessionRecord("s1"));
    await store.putBatches(Array.from({ length: count }, (_, i) => batchRecord("s1", i, overrides)));
    return store;
  }

  describe("sessions", () => {
    it("creates a session once and reads it back as written", async () => {
      const store = await newStore();
      const session = sessionRecord("s1", { slack: { channel: "C1", ts: "1.2" }, pausedUntil: undefined });

      expect(await store.createSession(session)).toBe(true);
      expect(await store.createSession(sessionRecord("s1", { totalSymbols: 99 }))).toBe(false);
      expect(await store.getSession("s1")).toEqual(sessionRecord("s1", { slack: { channel: "C1", ts: "1.2" } }));
      expect(await store.getSession("nope")).toBeUndefined();
    });

    it("lists sessions newest first, page by page, with no cursor on the last page", async () => {
      const store = await newStore();
      for (let day = 1; day <= 5; day++)
        await store.createSession(sessionRecord(`s${day}`, { createdAt: `2025-03-0${day}T04:30:00.000Z` }));

      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listSessions(2, cursor);
        pages.push(page.items.map((s) => s.sessionId));
        cursor = page.cursor;
      } while (cursor !== undefined);

      expect(pages).toEqual([["s5", "s4"], ["s3", "s2"], ["s1"]]);
    });

    it("rejects a cursor it did not issue", async () => {
      const store = await newStore();

      await expect(store.listSessions(2, "not-a-cursor")).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe("the pump's lease", () => {
    it("is taken by one pump at a time, and only while the session runs", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1"));
      await store.createSession(sessionRecord("s2", { status: "completed" }));

      const first = await store.acquirePumpLease("s1", NOW, NOW + 60_000);
      const second = await store.acquirePumpLease("s1", NOW + 1_000, NOW + 61_000);
      const stopped = await store.acquirePumpLease("s2", NOW, NOW + 60_000);

      expect(first?.pumpLeaseUntil).toBe(NOW + 60_000);
      expect([second, stopped]).toEqual([undefined, undefined]);
    });

    it("is taken over once it ran out, and the first holder's release leaves the new holder's lease alone", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1"));
      await store.acquirePumpLease("s1", NOW, NOW + 60_000);

      const taken = await store.acquirePumpLease("s1", NOW + 60_001, NOW + 120_001);
      await store.releasePumpLease("s1", NOW + 60_000);

      expect(taken?.pumpLeaseUntil).toBe(NOW + 120_001);
      expect((await store.getSession("s1"))?.pumpLeaseUntil).toBe(NOW + 120_001);
      await store.releasePumpLease("s1", NOW + 120_001);
      expect(await store.acquirePumpLease("s1", NOW + 60_002, NOW + 120_002)).toBeDefined();
    });
  });

  describe("pump messages due", () => {
    it("keeps the earliest due time that is still ahead, and forgets one that arrived", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1"));

      await store.notePumpDue("s1", NOW + 600_000, NOW);
      await store.notePumpDue("s1", NOW + 900_000, NOW);
      const later = (await store.getSession("s1"))?.pumpDueAt;
      await store.notePumpDue("s1", NOW + 300_000, NOW);
      const earlier = (await store.getSession("s1"))?.pumpDueAt;
      await store.clearPumpDue("s1", NOW + 1);
      const other = (await store.getSession("s1"))?.pumpDueAt;
      await store.clearPumpDue("s1", NOW + 300_000);

      expect([later, earlier, other]).toEqual([NOW + 600_000, NOW + 300_000, NOW + 300_000]);
      expect((await store.getSession("s1"))?.pumpDueAt).toBeUndefined();
    });

    it("replaces a due time that has passed", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1"));
      await store.notePumpDue("s1", NOW + 1_000, NOW);

      await store.notePumpDue("s1", NOW + 900_000, NOW + 2_000);

      expect((await store.getSession("s1"))?.pumpDueAt).toBe(NOW + 900_000);
    });
  });

  describe("progress, pause and end", () => {
    it("claims each progress slot once, never an earlier one", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1"));

      const outcomes = [
        await store.claimProgressSlot("s1", 1_000),
        await store.claimProgressSlot("s1", 1_000),
        await store.claimProgressSlot("s1", 500),
        await store.claimProgressSlot("s1", 2_000),
      ];

      expect(outcomes.map((o) => o?.progressSlot)).toEqual([1_000, undefined, undefined, 2_000]);
    });

    it("pauses and resumes a running session only", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1"));
      await store.createSession(sessionRecord("s2", { status: "cancelled" }));

      const paused = await store.pauseSession("s1", "2025-03-05T00:00:00.000Z");
      const resumed = await store.resumeSession("s1");

      expect(paused?.pausedUntil).toBe("2025-03-05T00:00:00.000Z");
      expect(resumed).not.toHaveProperty("pausedUntil");
      expect(await store.pauseSession("s2", "2025-03-05T00:00:00.000Z")).toBeUndefined();
    });

    it("finishes a running session once, dropping its pause", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1", { pausedUntil: "2025-03-05T00:00:00.000Z" }));
      const end = {
        status: "cancelled" as const,
        finishedAt: "2025-03-04T05:00:00.000Z",
        error: "cancelled by ops",
        cancelledBy: "ops",
      };

      const finished = await store.finishSession("s1", end);
      const again = await store.finishSession("s1", { status: "completed", finishedAt: "2025-03-04T06:00:00.000Z" });

      expect(finished).toMatchObject(end);
      expect(finished).not.toHaveProperty("pausedUntil");
      expect(again).toBeUndefined();
      expect(await store.finishSession("nope", end)).toBeUndefined();
      expect(await store.getSession("nope")).toBeUndefined();
    });

    it("lets one claim of the final event win, takes a stale unsent claim again, and never a sent one", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1", { status: "completed" }));
      await store.createSession(sessionRecord("s2"));
      const at = (s: number) => new Date(NOW + s * 1000).toISOString();

      const claims = await race([
        () => store.claimFinalEvent("s1", at(0), at(-120)),
        () => store.claimFinalEvent("s1", at(1), at(-119)),
      ]);
      const fresh = await store.claimFinalEvent("s1", at(60), at(-60));
      const stale = await store.claimFinalEvent("s1", at(200), at(80));
      await store.confirmFinalEvent("s1", at(200), at(201));
      const sent = await store.claimFinalEvent("s1", at(999), at(900));

      expect(claims.filter((c) => c !== undefined)).toHaveLength(1);
      expect(fresh).toBeUndefined();
      expect(stale?.finalEventAt).toBe(at(200));
      expect(sent).toBeUndefined();
      expect((await store.getSession("s1"))?.finalEventSentAt).toBe(at(201));
      expect(await store.claimFinalEvent("s2", at(0), at(-120))).toBeUndefined();
    });

    it("gives back only its own claim of the final event", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1", { status: "failed" }));
      const at = (s: number) => new Date(NOW + s * 1000).toISOString();
      await store.claimFinalEvent("s1", at(0), at(-120));

      await store.releaseFinalEvent("s1", at(5));
      const kept = (await store.getSession("s1"))?.finalEventAt;
      await store.releaseFinalEvent("s1", at(0));

      expect(kept).toBe(at(0));
      expect((await store.getSession("s1"))?.finalEventAt).toBeUndefined();
    });
  });

  describe("counters", () => {
    it("counts a batch once, concurrently too, and returns the session after the update", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1"));

      const first = await store.countBatch("s1", 3, { batchesDone: 1, passed: 7, failed: 1, creditsUsed: 8 });
      const second = await store.countBatch("s1", 3, { batchesDone: 1, passed: 7, failed: 1, creditsUsed: 8 });
      await race([0, 1, 0, 1].map((batch) => () => store.countBatch("s1", batch, { batchesDone: 1, passed: 2 })));

      expect(first?.counters).toEqual({
        batchesDone: 1,
        batchesFailed: 0,
        passed: 7,
        failed: 1,
        errored: 0,
        creditsUsed: 8,
        creditsWasted: 0,
      });
      expect(second).toBeUndefined();
      expect((await store.getSession("s1"))?.counters).toMatchObject({ batchesDone: 3, passed: 11 });
    });

    it("adds to counters outside batch completion, and to no missing session", async () => {
      const store = await newStore();
      await store.createSession(sessionRecord("s1"));

      await store.addToCounters("s1", { creditsWasted: 8 });
      await store.addToCounters("s1", { creditsWasted: 8 });

      expect((await store.getSession("s1"))?.counters.creditsWasted).toBe(16);
      await expect(store.addToCounters("nope", { creditsWasted: 8 })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getSession("nope")).toBeUndefined();
    });
  });

  describe("batches", () => {
    it("lists batches in order, and those of one status across sparse matches, page by page", async () => {
      const store = await withBatches(300);
      const queued = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 7 === 3);
      await Promise.all(queued.map((i) => store.queueBatch("s1", i, 0, NOW)));

      const all = await listAll((cursor) => store.listBatches("s1", { limit: 120, cursor }));
      const some = await listAll((cursor) => store.listBatches("s1", { status: "queued", limit: 10, cursor }));

      expect(all.map((b) => b.batch)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(some.map((b) => b.batch)).toEqual(queued);
      expect(some.every((b) => b.status === "queued" && b.attempt === 1 && b.slotStart === NOW)).toBe(true);
    });

    it("reads a batch back as written", async () => {
      const store = await newStore();
      const batch = batchRecord("s1", 4, { slotStart: NOW, outcome: { passed: 1, failed: 1, errored: 0, credits: 2 } });
      await store.putBatches([batch]);

      expect(await store.getBatch("s1", 4)).toEqual(batch);
      expect(await store.getBatch("s1", 5)).toBeUndefined();
    });

    it("queues a pending batch of the expected attempt once, for the next attempt", async () => {
      const store = await withBatches(1);

      const queued = await store.queueBatch("s1", 0, 0, NOW);
      const again = await store.queueBatch("s1", 0, 0, NOW + 61_000);

      expect(queued).toEqual(batchRecord("s1", 0, { status: "queued", attempt: 1, slotStart: NOW }));
      expect(again).toBeUndefined();
      expect(await store.queueBatch("s1", 9, 0, NOW)).toBeUndefined();
      expect(await store.getBatch("s1", 9)).toBeUndefined();
    });

    it("claims a queued batch of its attempt, under a lease", async () => {
      const store = await withBatches(1, { status: "queued", attempt: 2 });

      const other = await store.claimBatch("s1", 0, 1, NOW, NOW + 120_000);
      const claimed = await store.claimBatch("s1", 0, 2, NOW, NOW + 120_000);
      const twice = await store.claimBatch("s1", 0, 2, NOW, NOW + 120_000);

      expect(other).toBeUndefined();
      expect(claimed).toMatchObject({
        status: "processing",
        leaseUntil: NOW + 120_000,
        startedAt: new Date(NOW).toISOString(),
      });
      expect(twice).toBeUndefined();
    });

    it("takes over a processing batch only once its lease has run out", async () => {
      const store = await withBatches(1, { status: "processing", attempt: 1, leaseUntil: NOW + 60_000 });

      const live = await store.takeOverBatch("s1", 0, 1, NOW, NOW + 120_000);
      const expired = await store.takeOverBatch("s1", 0, 1, NOW + 60_001, NOW + 180_001);

      expect(live).toBeUndefined();
      expect(expired).toMatchObject({ status: "processing", leaseUntil: NOW + 180_001 });
    });

    it("records a spend, interrupts, re-queues and finishes a processing batch of its attempt", async () => {
      const store = await withBatches(3, { status: "processing", attempt: 1, leaseUntil: NOW, slotStart: NOW });

      const spent = await store.recordSpend("s1", 0, 1, NOW);
      const interrupted = await store.interruptBatch("s1", 0, 1);
      const requeued = await store.requeueBatch("s1", 1, 1, { providerFailures: 1, error: "down", interrupted: true });
      const outcome = { passed: 1, failed: 1, errored: 0, credits: 2 };
      const end = { status: "done" as const, finishedAt: "2025-03-04T05:00:00.000Z", outcome };
      const finished = await store.finishBatch("s1", 2, 1, end);
      const notAgain = await store.finishBatch("s1", 2, 1, end);

      expect(spent?.spentSlot).toBe(NOW);
      expect(interrupted).toMatchObject({ status: "queued", interrupted: true, spentSlot: NOW });
      expect(interrupted).not.toHaveProperty("leaseUntil");
      expect(requeued).toMatchObject({
        status: "pending",
        attempt: 1,
        providerFailures: 1,
        error: "down",
        interrupted: true,
      });
      expect(requeued).not.toHaveProperty("slotStart");
      expect(finished).toMatchObject({ status: "done", outcome, finishedAt: end.finishedAt });
      expect(finished).not.toHaveProperty("leaseUntil");
      expect(notAgain).toBeUndefined();
      expect(await store.recordSpend("s1", 2, 1, NOW)).toBeUndefined();
    });

    it("fails a batch from any of the given statuses, cancels, and puts a lost one back to pending", async () => {
      const store = await withBatches(3, { status: "queued", attempt: 1, slotStart: NOW });
      const end = {
        status: "failed" as const,
        finishedAt: "2025-03-04T05:00:00.000Z",
        outcome: { passed: 0, failed: 0, errored: 2, credits: 0 },
        error: "dead-lettered",
      };

      const failed = await store.finishBatch("s1", 0, 1, end, ["pending", "queued", "processing"]);
      const cancelled = await store.cancelBatch("s1", 1, 1, ["queued", "pending"]);
      const lost = await store.resetLostBatch("s1", 2, 1);
      const wrongAttempt = await store.cancelBatch("s1", 2, 7, ["pending"]);

      expect(failed).toMatchObject({ status: "failed", error: "dead-lettered" });
      expect(cancelled?.status).toBe("cancelled");
      expect(lost).toMatchObject({ status: "pending", attempt: 1 });
      expect(lost).not.toHaveProperty("slotStart");
      expect(wrongAttempt).toBeUndefined();
    });
  });

  describe("results", () => {
    it("writes only the results that are absent and returns those", async () => {
      const store = await newStore();
      await store.putResultsIfAbsent([storedResult("s1", "AAPL", { status: "fail" })]);

      const written = await store.putResultsIfAbsent([
        storedResult("s1", "AAPL", { status: "pass" }),
        storedResult("s1", "MSFT"),
      ]);

      expect(written.map((r) => r.symbol)).toEqual(["MSFT"]);
      expect((await store.getResults("s1", ["AAPL"]))[0]?.status).toBe("fail");
    });

    it("overwrites results by session and symbol, and reads them back in the order asked", async () => {
      const store = await newStore();
      await store.putResults([storedResult("s1", "AAPL", { status: "fail" }), storedResult("s1", "MSFT")]);
      await store.putResults([storedResult("s1", "AAPL", { status: "pass" })]);

      const results = await store.getResults("s1", ["MSFT", "AAPL", "NONE"]);

      expect(results.map((r) => [r.symbol, r.status])).toEqual([
        ["MSFT", "pass"],
        ["AAPL", "pass"],
      ]);
    });

    it("reads more than one BatchGetItem's worth of results", async () => {
      const store = await newStore();
      const symbols = Array.from({ length: 230 }, (_, i) => `SYM${String(i).padStart(3, "0")}`);
      await store.putResults(symbols.map((symbol) => storedResult("s1", symbol)));

      expect((await store.getResults("s1", symbols)).map((r) => r.symbol)).toEqual(symbols);
    });

    it("lists results of some statuses in symbol order, page by page, and refuses another session's cursor", async () => {
      const store = await newStore();
      const symbols = Array.from({ length: 300 }, (_, i) => `SYM${String(i).padStart(3, "0")}`);
      const statusOf = (i: number) => (i % 10 === 0 ? "fail" : i % 10 === 1 ? "error" : "pass");
      await store.putResults(symbols.map((symbol, i) => storedResult("s1", symbol, { status: statusOf(i) })));

      const listed = await listAll((cursor) =>
        store.listResults("s1", { statuses: ["fail", "error"], limit: 25, cursor }),
      );
      const page = await store.listResults("s1", { limit: 1 });

      expect(listed.map((r) => r.symbol)).toEqual(symbols.filter((_, i) => statusOf(i) !== "pass"));
      await expect(store.listResults("s2", { limit: 1, cursor: page.cursor })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });
  });
}
