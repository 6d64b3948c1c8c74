import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidCursorError, StoreError } from "../../../app/adapters/dynamodb/errors.ts";
import { DynamoSessionStore } from "../../../app/adapters/dynamodb/session-store.ts";
import type { BatchRecord } from "../../../app/pipeline/model.ts";
import { NotFoundError } from "../../../app/pipeline/ports.ts";
import { type LocalDynamo, startLocalDynamo } from "../../helpers/local-dynamo.ts";
import { batchRecord, sessionRecord, storedResult } from "../../helpers/session-records.ts";

const NOW = Date.parse("2025-03-04T04:30:00Z");

describe("DynamoSessionStore", () => {
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  async function newStore(): Promise<{ store: DynamoSessionStore; tableName: string }> {
    const tableName = await dynamo.table();
    return { store: new DynamoSessionStore({ client: dynamo.documents, tableName, clock: () => NOW }), tableName };
  }

  async function storeWithBatches(count: number): Promise<DynamoSessionStore> {
    const { store } = await newStore();
    await store.createSession(sessionRecord("s1"));
    await store.putBatches(Array.from({ length: count }, (_, i) => batchRecord("s1", i)));
    return store;
  }

  async function listAll<T>(fetch: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>): Promise<T[][]> {
    const pages: T[][] = [];
    let cursor: string | undefined;
    do {
      const page = await fetch(cursor);
      pages.push(page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return pages;
  }

  describe("sessions", () => {
    it("creates a session and reads it back as written", async () => {
      const { store } = await newStore();
      const session = sessionRecord("s1", { slack: { channel: "C1", ts: "1.2" }, pausedUntil: undefined });

      const created = await store.createSession(session);

      expect(created).toBe(true);
      expect(await store.getSession("s1")).toEqual(sessionRecord("s1", { slack: { channel: "C1", ts: "1.2" } }));
    });

    it("refuses a second session with the same id and keeps the first", async () => {
      const { store } = await newStore();
      await store.createSession(sessionRecord("s1", { totalSymbols: 16 }));

      const created = await store.createSession(sessionRecord("s1", { totalSymbols: 99 }));

      expect(created).toBe(false);
      expect((await store.getSession("s1"))?.totalSymbols).toBe(16);
    });

    it("answers undefined for an unknown session", async () => {
      const { store } = await newStore();

      expect(await store.getSession("nope")).toBeUndefined();
    });

    it("stamps items with a ttl of ttlDays after the clock, in epoch seconds", async () => {
      const { store, tableName } = await newStore();
      await store.createSession(sessionRecord("s1"));

      const { Item } = await dynamo.documents.send(
        new GetCommand({ TableName: tableName, Key: { PK: "SESSION#s1", SK: "META" } }),
      );

      expect(Item?.ttl).toBe(NOW / 1000 + 7 * 86_400);
    });

    it("lists sessions newest first, page by page, with no cursor on the last page", async () => {
      const { store } = await newStore();
      for (let day = 1; day <= 5; day++)
        await store.createSession(sessionRecord(`s${day}`, { createdAt: `2025-03-0${day}T04:30:00.000Z` }));

      const pages = await listAll((cursor) => store.listSessions(2, cursor));

      expect(pages.map((page) => page.map((s) => s.sessionId))).toEqual([["s5", "s4"], ["s3", "s2"], ["s1"]]);
    });

    it("rejects a cursor it did not issue", async () => {
      const { store } = await newStore();

      await expect(store.listSessions(2, "not-a-cursor")).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe("batches", () => {
    it("writes 1,300 batches and lists them all in batch order", async () => {
      const store = await storeWithBatches(1_300);

      const pages = await listAll((cursor) => store.listBatches("s1", { limit: 500, cursor }));

      expect(pages.map((page) => page.length)).toEqual([500, 500, 300]);
      expect(pages.flat().map((b) => b.batch)).toEqual(Array.from({ length: 1_300 }, (_, i) => i));
    });

    it("lists batches of one status across sparse matches, page by page", async () => {
      const store = await storeWithBatches(1_300);
      const queued = Array.from({ length: 1_300 }, (_, i) => i).filter((i) => i % 7 === 3);
      await Promise.all(queued.map((i) => store.transitionBatch("s1", i, { from: ["pending"], to: "queued" })));

      const pages = await listAll((cursor) => store.listBatches("s1", { status: "queued", limit: 60, cursor }));

      expect(pages.slice(0, -1).every((page) => page.length === 60)).toBe(true);
      expect(pages.flat().map((b) => b.batch)).toEqual(queued);
      expect(pages.flat().every((b) => b.status === "queued")).toBe(true);
    });

    it("reads a batch back as written", async () => {
      const { store } = await newStore();
      const batch = batchRecord("s1", 4, { slotStart: NOW, outcome: { passed: 1, failed: 1, errored: 0, credits: 2 } });
      await store.putBatches([batch]);

      expect(await store.getBatch("s1", 4)).toEqual(batch);
    });
  });

  describe("transitionBatch", () => {
    async function storeWith(batch: BatchRecord): Promise<DynamoSessionStore> {
      const { store } = await newStore();
      await store.putBatches([batch]);
      return store;
    }

    it("moves a batch from an expected status and returns the new record", async () => {
      const store = await storeWith(batchRecord("s1", 1));

      const moved = await store.transitionBatch("s1", 1, {
        from: ["pending", "queued"],
        to: "queued",
        set: { attempt: 1, slotStart: NOW },
      });

      expect(moved).toEqual(batchRecord("s1", 1, { status: "queued", attempt: 1, slotStart: NOW }));
      expect(await store.getBatch("s1", 1)).toEqual(moved);
    });

    it("does nothing from an unexpected status", async () => {
      const store = await storeWith(batchRecord("s1", 1, { status: "done" }));

      const moved = await store.transitionBatch("s1", 1, { from: ["pending"], to: "queued" });

      expect(moved).toBeUndefined();
      expect((await store.getBatch("s1", 1))?.status).toBe("done");
    });

    it("does nothing for another attempt", async () => {
      const store = await storeWith(batchRecord("s1", 1, { status: "queued", attempt: 2 }));

      const moved = await store.transitionBatch("s1", 1, { from: ["queued"], to: "processing", attempt: 1 });

      expect(moved).toBeUndefined();
    });

    it("claims a batch of the expected attempt", async () => {
      const store = await storeWith(batchRecord("s1", 1, { status: "queued", attempt: 2 }));

      const moved = await store.transitionBatch("s1", 1, {
        from: ["queued"],
        to: "processing",
        attempt: 2,
        set: { leaseUntil: NOW + 60_000 },
      });

      expect(moved?.status).toBe("processing");
      expect(moved?.leaseUntil).toBe(NOW + 60_000);
    });

    it("does not take over a lease that has not expired", async () => {
      const store = await storeWith(batchRecord("s1", 1, { status: "processing", leaseUntil: NOW + 60_000 }));

      const moved = await store.transitionBatch("s1", 1, { from: ["processing"], to: "processing", leaseBefore: NOW });

      expect(moved).toBeUndefined();
    });

    it("takes over an expired lease and can remove attributes", async () => {
      const store = await storeWith(batchRecord("s1", 1, { status: "processing", leaseUntil: NOW - 1 }));

      const moved = await store.transitionBatch("s1", 1, {
        from: ["processing"],
        to: "queued",
        leaseBefore: NOW,
        remove: ["leaseUntil"],
      });

      expect(moved?.status).toBe("queued");
      expect(moved).not.toHaveProperty("leaseUntil");
    });

    it("never creates a batch that does not exist", async () => {
      const { store } = await newStore();

      const moved = await store.transitionBatch("s1", 9, { from: ["pending"], to: "queued" });

      expect(moved).toBeUndefined();
      expect(await store.getBatch("s1", 9)).toBeUndefined();
    });
  });

  describe("counters", () => {
    it("counts a batch once and returns the session after the update", async () => {
      const { store } = await newStore();
      await store.createSession(sessionRecord("s1"));

      const first = await store.countBatch("s1", 3, { batchesDone: 1, passed: 7, failed: 1, creditsUsed: 8 });
      const second = await store.countBatch("s1", 3, { batchesDone: 1, passed: 7, failed: 1, creditsUsed: 8 });

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
      expect((await store.getSession("s1"))?.counters.passed).toBe(7);
    });

    it("counts different batches of a session, concurrently, each once", async () => {
      const { store } = await newStore();
      await store.createSession(sessionRecord("s1"));

      await Promise.all(
        [0, 1, 2, 3, 0, 1, 2, 3].map((batch) => store.countBatch("s1", batch, { batchesDone: 1, passed: 2 })),
      );

      expect((await store.getSession("s1"))?.counters).toMatchObject({ batchesDone: 4, passed: 8 });
    });

    it("adds to counters outside batch completion", async () => {
      const { store } = await newStore();
      await store.createSession(sessionRecord("s1"));

      await store.addToCounters("s1", { creditsWasted: 8 });
      await store.addToCounters("s1", { creditsWasted: 8 });

      expect((await store.getSession("s1"))?.counters.creditsWasted).toBe(16);
    });

    it("adds to the counters of no missing session", async () => {
      const { store } = await newStore();

      await expect(store.addToCounters("nope", { creditsWasted: 8 })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.getSession("nope")).toBeUndefined();
    });
  });

  describe("updateSession", () => {
    it("updates from an expected status", async () => {
      const { store } = await newStore();
      await store.createSession(sessionRecord("s1", { pausedUntil: "2025-03-05T00:00:00.000Z" }));

      const updated = await store.updateSession("s1", {
        from: ["running"],
        set: { status: "completed", finishedAt: "2025-03-04T05:00:00.000Z" },
        remove: ["pausedUntil"],
      });

      expect(updated).toMatchObject({ status: "completed", finishedAt: "2025-03-04T05:00:00.000Z" });
      expect(updated).not.toHaveProperty("pausedUntil");
    });

    it("does nothing from another status", async () => {
      const { store } = await newStore();
      await store.createSession(sessionRecord("s1", { status: "cancelled" }));

      const updated = await store.updateSession("s1", { from: ["running"], set: { status: "completed" } });

      expect(updated).toBeUndefined();
      expect((await store.getSession("s1"))?.status).toBe("cancelled");
    });

    it("sets a marker only while it is absent or below the value", async () => {
      const { store } = await newStore();
      await store.createSession(sessionRecord("s1"));
      const mark = (slot: number) =>
        store.updateSession("s1", { set: { progressSlot: slot }, below: { attribute: "progressSlot", value: slot } });

      const first = await mark(1_000);
      const same = await mark(1_000);
      const earlier = await mark(500);
      const later = await mark(2_000);

      expect([first?.progressSlot, same, earlier, later?.progressSlot]).toEqual([1_000, undefined, undefined, 2_000]);
    });

    it("sets an at-most-once marker once", async () => {
      const { store } = await newStore();
      await store.createSession(sessionRecord("s1"));
      const mark = (at: string) => store.updateSession("s1", { set: { finalEventAt: at }, absent: "finalEventAt" });

      const outcomes = await Promise.all(["2025-03-04T05:00:00.000Z", "2025-03-04T05:00:01.000Z"].map(mark));

      expect(outcomes.filter((o) => o !== undefined)).toHaveLength(1);
    });

    it("never creates a session that does not exist", async () => {
      const { store } = await newStore();

      const updated = await store.updateSession("nope", { set: { status: "completed" } });

      expect(updated).toBeUndefined();
      expect(await store.getSession("nope")).toBeUndefined();
    });
  });

  describe("results", () => {
    it("writes only the results that are absent and returns those", async () => {
      const { store } = await newStore();
      await store.putResultsIfAbsent([storedResult("s1", "AAPL", { status: "fail" })]);

      const written = await store.putResultsIfAbsent([
        storedResult("s1", "AAPL", { status: "pass" }),
        storedResult("s1", "MSFT"),
      ]);

      expect(written.map((r) => r.symbol)).toEqual(["MSFT"]);
      expect((await store.getResults("s1", ["AAPL"]))[0]?.status).toBe("fail");
    });

    it("overwrites results by session and symbol, and reads them back in the order asked", async () => {
      const { store } = await newStore();
      await store.putResults([storedResult("s1", "AAPL", { status: "fail" }), storedResult("s1", "MSFT")]);
      await store.putResults([storedResult("s1", "AAPL", { status: "pass" })]);

      const results = await store.getResults("s1", ["MSFT", "AAPL", "NONE"]);

      expect(results.map((r) => [r.symbol, r.status])).toEqual([
        ["MSFT", "pass"],
        ["AAPL", "pass"],
      ]);
    });

    it("keeps a result's issues, dropping undefined fields", async () => {
      const { store } = await newStore();
      const issue = {
        code: "price_mismatch",
        severity: "error",
        message: "close differs",
        date: "2025-03-03",
        field: "close",
        subject: 101,
        reference: 100,
        diffPct: 1,
        from: undefined,
      } as const;
      await store.putResults([storedResult("s1", "AAPL", { status: "fail", issues: [issue] })]);

      const [result] = await store.getResults("s1", ["AAPL"]);

      expect(result?.issues[0]).toStrictEqual({
        code: "price_mismatch",
        severity: "error",
        message: "close differs",
        date: "2025-03-03",
        field: "close",
        subject: 101,
        reference: 100,
        diffPct: 1,
      });
    });

    it("reads more than one BatchGetItem's worth of results", async () => {
      const { store } = await newStore();
      const symbols = Array.from({ length: 230 }, (_, i) => `SYM${String(i).padStart(3, "0")}`);
      await store.putResults(symbols.map((symbol) => storedResult("s1", symbol)));

      const results = await store.getResults("s1", symbols);

      expect(results.map((r) => r.symbol)).toEqual(symbols);
    });

    it("lists results of some statuses in symbol order, page by page", async () => {
      const { store } = await newStore();
      const symbols = Array.from({ length: 300 }, (_, i) => `SYM${String(i).padStart(3, "0")}`);
      const statusOf = (i: number) => (i % 10 === 0 ? "fail" : i % 10 === 1 ? "error" : "pass");
      await store.putResults(symbols.map((symbol, i) => storedResult("s1", symbol, { status: statusOf(i) })));

      const pages = await listAll((cursor) =>
        store.listResults("s1", { statuses: ["fail", "error"], limit: 25, cursor }),
      );

      const expected = symbols.filter((_, i) => statusOf(i) !== "pass");
      expect(pages.flat().map((r) => r.symbol)).toEqual(expected);
      expect(pages[0]).toHaveLength(25);
    });

    it("rejects a cursor of another session", async () => {
      const { store } = await newStore();
      await store.putResults([storedResult("s1", "AAPL"), storedResult("s1", "MSFT")]);
      const page = await store.listResults("s1", { limit: 1 });

      await expect(store.listResults("s2", { limit: 1, cursor: page.cursor })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });
  });

  it("wraps a failure of DynamoDB in a StoreError naming the operation and the table", async () => {
    const store = new DynamoSessionStore({ client: dynamo.documents, tableName: "no-such-table", clock: () => NOW });

    const error = await store.getSession("s1").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ operation: "GetItem", tableName: "no-such-table" });
    expect((error as StoreError).cause).toBeInstanceOf(Error);
  });
});
