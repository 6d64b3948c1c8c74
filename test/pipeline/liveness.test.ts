import { describe, expect, it } from "vitest";
import type { DailyRange, ReferenceOutcome } from "../../app/domain/ports.ts";
import { ProviderRateLimited } from "../../app/domain/provider-errors.ts";
import { defaultSettings, MetricName, type PipelineContext, staleAfterMs } from "../../app/pipeline/context.ts";
import { Operations } from "../../app/pipeline/operations.ts";
import type { WorkMessage } from "../../app/pipeline/ports.ts";
import { processBatch } from "../../app/pipeline/process-batch.ts";
import { pump } from "../../app/pipeline/pump.ts";
import { startSession } from "../../app/pipeline/start-session.ts";
import { barsBetween } from "../../sim/market.ts";
import { MemoryCreditLedger } from "../../sim/memory/credit-ledger.ts";
import { MemorySessionStore } from "../../sim/memory/session-store.ts";

/**
 * The liveness defects found at real AWS timings (docs/reliability.md, "Defects the simulation found"), each
 * replayed on the in-memory ports the simulation uses, with the one failure that caused it.
 */
const T0 = Date.parse("2025-03-04T14:00:00.000Z");
const LAST_DATE = "2025-03-03";

type Fail = (what: string) => boolean;

function harness(
  options: {
    creditsPerDay?: number | null;
    answer?: (symbols: readonly string[]) => Map<string, ReferenceOutcome>;
  } = {},
) {
  let now = T0;
  const failOnce = new Set<string>();
  const fails: Fail = (what) => failOnce.delete(what);
  const sent: { message: WorkMessage; delaySeconds: number; at: number }[] = [];
  const schedules = new Map<string, number>();
  const cancelled: string[] = [];
  const metrics = new Map<string, number>();
  const requests: string[][] = [];
  const store = new MemorySessionStore({ clock: () => now });
  const creditsPerDay = options.creditsPerDay === undefined ? 800 : options.creditsPerDay;
  const ledger = new MemoryCreditLedger({ creditsPerSlot: 8, creditsPerDay, windowMs: 60_000, marginMs: 1_000 });
  const served = (symbols: readonly string[], range: DailyRange) =>
    new Map<string, ReferenceOutcome>(
      symbols.map((s) => [
        s,
        {
          ok: true,
          series: {
            bars: barsBetween(s, range.startDate, LAST_DATE),
            exchangeTimezone: "America/New_York",
          },
        },
      ]),
    );
  const ctx: PipelineContext = {
    store,
    ledger,
    queue: {
      async send(message, delaySeconds) {
        if (fails(`send ${message.type}`)) throw new Error(`SendMessage failed (${message.type})`);
        sent.push({ message, delaySeconds, at: now });
      },
    },
    events: { async publish() {} },
    resume: {
      async scheduleResume(sessionId, at) {
        if (fails("scheduleResume")) throw new Error("CreateSchedule failed");
        if (!schedules.has(sessionId)) schedules.set(sessionId, at.getTime());
      },
      async cancelResume(sessionId) {
        cancelled.push(sessionId);
        schedules.delete(sessionId);
      },
    },
    provider: {
      async dailyBars(symbols, range) {
        requests.push([...symbols]);
        return options.answer ? options.answer(symbols) : served(symbols, range);
      },
    },
    datalakeFor: () => ({
      readBars: async (symbol) => barsBetween(symbol, "2025-01-01", LAST_DATE),
      listSymbols: async () => [],
      describe: (symbol) => symbol,
    }),
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    log: { debug() {}, info() {}, warn() {}, error() {} },
    metrics: { count: (name, value) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
    settings: defaultSettings({ creditsPerWindow: 8, batchSize: 8, creditsPerDay }),
  };
  const start = (symbols: string[], key = "k1") =>
    startSession(
      ctx,
      { symbols, idempotencyKey: key, lookbackDays: 10 },
      { datalake: "mem://{symbol}", lookbackDays: 10 },
    );
  const batchMessages = () =>
    sent.filter((s) => s.message.type === "batch").map((s) => s.message) as Extract<WorkMessage, { type: "batch" }>[];
  const pumpMessages = () => sent.filter((s) => s.message.type === "pump");
  return {
    ctx,
    store,
    ledger,
    sent,
    schedules,
    cancelled,
    metrics,
    requests,
    start,
    batchMessages,
    pumpMessages,
    failNext: (what: string) => failOnce.add(what),
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const symbols = (n: number, prefix = "S") =>
  Array.from({ length: n }, (_, i) => `${prefix}${String.fromCharCode(65 + i)}`);

describe("liveness at real AWS timings", () => {
  it("1. a start whose first pump failed is pumped by Lambda's retry of the same start", async () => {
    const h = harness();
    h.failNext("send batch");

    await expect(h.start(symbols(16))).rejects.toThrow("SendMessage failed");
    const retried = await h.start(symbols(16));

    expect(retried.status).toBe("duplicate");
    // The batch whose message failed went back to pending at once; the retry queues both.
    expect(h.batchMessages().map((m) => [m.batch, m.attempt])).toEqual([
      [1, 2],
      [2, 1],
    ]);
  });

  it("1. a start that fails before anything exists has already sent the pump message that would wake it", async () => {
    const h = harness();
    h.failNext("send batch");

    await expect(h.start(symbols(8))).rejects.toThrow();

    const [first] = h.sent;
    expect(first?.message).toEqual({ type: "pump", sessionId: expect.any(String) });
    expect(first?.delaySeconds).toBeGreaterThan(60);
  });

  it("2. a pause whose resume schedule could not be created gets it from the redelivery", async () => {
    const h = harness({ creditsPerDay: 8 });
    await h.start(symbols(8, "A"), "k0");
    h.advance(120_000);
    h.failNext("scheduleResume");

    await expect(h.start(symbols(8, "B"), "k1")).rejects.toThrow("CreateSchedule failed");
    const paused = (await h.store.listSessions(1)).items[0];
    expect(paused?.pausedUntil).toBe("2025-03-05T00:00:00.000Z");
    expect(h.schedules.size).toBe(0);
    await pump(h.ctx, paused?.sessionId as string, { sweep: true });

    expect(h.schedules.get(paused?.sessionId as string)).toBe(Date.parse("2025-03-05T00:00:00.000Z"));
  });

  it("2. a resume delivered a moment before the pause ends, by a worker's clock, leaves a pump message", async () => {
    const h = harness({ creditsPerDay: 8 });
    await h.start(symbols(8, "A"), "k0");
    h.advance(120_000);
    const second = await h.start(symbols(8, "B"), "k1");
    const until = Date.parse((await h.store.getSession(second.sessionId))?.pausedUntil as string);
    h.advance(until - h.now() - 300);
    const before = h.pumpMessages().length;

    const outcome = await pump(h.ctx, second.sessionId, { sweep: true });

    expect(outcome.kind).toBe("paused");
    expect(
      h
        .pumpMessages()
        .slice(before)
        .map((s) => s.message),
    ).toEqual([{ type: "pump", sessionId: second.sessionId, at: until }]);
  });

  it("3. the sweep of a lost message is re-armed past SQS's 900 s cap until it puts the batch back", async () => {
    const h = harness();
    const { sessionId } = await h.start(symbols(16));
    // Batch 1's message is lost: its worker died between claiming it queued and sending it.
    const lost = h.sent.findIndex((s) => s.message.type === "batch" && s.message.batch === 1);
    h.sent.splice(lost, 1);
    const stale = staleAfterMs(h.ctx.settings);
    expect(stale).toBeGreaterThan(900_000);

    // Pump messages arrive (at most 900 s after they were sent) until the sweep puts the batch back.
    let elapsed = 0;
    while (!h.batchMessages().some((m) => m.batch === 1) && elapsed < 3 * stale) {
      const due = h.pumpMessages().at(-1);
      expect(due, `a pump message is outstanding after ${elapsed / 1000} s`).toBeDefined();
      const wait = Math.max(1_000, (due?.at ?? h.now()) + (due?.delaySeconds ?? 0) * 1000 - h.now());
      h.advance(wait);
      elapsed += wait;
      const at = (due?.message as Extract<WorkMessage, { type: "pump" }> | undefined)?.at;
      await pump(h.ctx, sessionId, { sweep: true, ...(at === undefined ? {} : { dueAt: at }) });
    }

    expect(elapsed).toBeGreaterThanOrEqual(stale - 60_000);
    expect(
      h
        .batchMessages()
        .filter((m) => m.batch === 1)
        .map((m) => m.attempt),
    ).toEqual([2]);
  });

  it("3. a sweep that finds the pump busy leaves a pump message for when the lease runs out", async () => {
    const h = harness();
    const { sessionId } = await h.start(symbols(8));
    await h.store.acquirePumpLease(sessionId, h.now(), h.now() + 60_000);
    await h.store.clearPumpDue(sessionId, (await h.store.getSession(sessionId))?.pumpDueAt as number);
    const before = h.pumpMessages().length;

    const outcome = await pump(h.ctx, sessionId, { sweep: true });

    expect(outcome.kind).toBe("busy");
    expect(
      h
        .pumpMessages()
        .slice(before)
        .map((s) => s.message),
    ).toEqual([{ type: "pump", sessionId, at: h.now() + 61_000 }]);
  });

  it("4. a session past its stated bound reports SessionOverdue from its pump message", async () => {
    const h = harness();
    const { sessionId } = await h.start(symbols(8));
    const dueAt = Date.parse((await h.store.getSession(sessionId))?.dueAt as string);
    h.advance(dueAt - h.now() + 60_000);

    await pump(h.ctx, sessionId, { sweep: true });

    expect(h.metrics.get(MetricName.sessionOverdue)).toBe(1);
  });

  it("4. the daily scheduled start reports and wakes a session past its bound whose pump messages stopped", async () => {
    const h = harness();
    const { sessionId } = await h.start(symbols(8), "k0");
    const dueAt = Date.parse((await h.store.getSession(sessionId))?.dueAt as string);
    h.sent.length = 0;
    h.advance(dueAt - h.now() + 3_600_000);

    await startSession(
      h.ctx,
      { symbols: symbols(8, "B"), idempotencyKey: "daily", startedBy: { kind: "schedule" } },
      { datalake: "mem://{symbol}", lookbackDays: 10 },
    );

    expect(h.metrics.get(MetricName.sessionOverdue)).toBe(1);
    expect(h.pumpMessages().some((s) => s.message.sessionId === sessionId)).toBe(true);
  });

  it("6. symbols a partial answer left unserved are re-queued, the served ones kept and not requested again", async () => {
    let calls = 0;
    const h = harness({
      answer: (requested) => {
        calls++;
        return new Map(
          requested.map((s, i): [string, ReferenceOutcome] =>
            calls === 1 && i >= 5
              ? [s, { ok: false, code: 429, message: "You have run out of API credits for the current minute." }]
              : [
                  s,
                  {
                    ok: true,
                    series: { bars: barsBetween(s, "2025-02-01", LAST_DATE), exchangeTimezone: "America/New_York" },
                  },
                ],
          ),
        );
      },
    });
    const { sessionId } = await h.start(symbols(8));
    const [first] = h.batchMessages();

    expect(await processBatch(h.ctx, first as Extract<WorkMessage, { type: "batch" }>)).toBe("requeued_partly_served");
    const second = h.batchMessages().at(-1) as Extract<WorkMessage, { type: "batch" }>;
    h.advance(Math.max(0, second.slotStart - h.now()));
    expect(await processBatch(h.ctx, second)).toBe("done");

    expect(h.requests.map((r) => r.length)).toEqual([8, 3]);
    const session = await h.store.getSession(sessionId);
    expect(session?.status).toBe("completed");
    expect(session?.counters.errored).toBe(0);
    expect(h.metrics.get(MetricName.rateLimited)).toBe(1);
  });

  it("7. a day-limit 429 closes the ledger's day and pauses the session until 00:00 UTC", async () => {
    const h = harness({
      answer: () => {
        throw new ProviderRateLimited("You have run out of API credits for the day.", {
          provider: "Twelve Data",
          status: 429,
          attempts: 1,
          scope: "day",
        });
      },
    });
    const { sessionId } = await h.start(symbols(16));
    const [first] = h.batchMessages();

    expect(await processBatch(h.ctx, first as Extract<WorkMessage, { type: "batch" }>)).toBe("paused_day_limit");

    expect((await h.store.getSession(sessionId))?.pausedUntil).toBe("2025-03-05T00:00:00.000Z");
    expect(h.schedules.get(sessionId)).toBe(Date.parse("2025-03-05T00:00:00.000Z"));
    expect(h.ledger.dayCounts().get("2025-03-04")).toBe(800);
    expect((await h.ledger.reserve(8, h.now(), 900_000)).kind).toBe("day_exhausted");
  });

  it("8. a redelivery after a worker died past its provider request neither spends its slot again nor gives its credits back", async () => {
    const h = harness();
    const { sessionId } = await h.start(symbols(8));
    const [message] = h.batchMessages() as Extract<WorkMessage, { type: "batch" }>[];
    // The worker claimed the batch, passed the gate and recorded its spend, then died before storing results.
    await h.store.claimBatch(sessionId, 1, 1, h.now(), h.now() + 120_000);
    await h.ledger.spend({ slotStart: message?.slotStart as number, credits: 8 }, h.now());
    await h.store.recordSpend(sessionId, 1, 1, message?.slotStart as number);
    const reserved = h.ledger.dayCounts().get("2025-03-04");
    h.advance(360_000);

    expect(await processBatch(h.ctx, message as Extract<WorkMessage, { type: "batch" }>)).toBe("requeued_slot_spent");

    expect(h.requests).toEqual([]);
    // Its day's credits stay counted (the provider charged them), and the re-queue reserves new ones.
    expect(h.ledger.dayCounts().get("2025-03-04")).toBe((reserved ?? 0) + 8);
    expect((await h.store.getSession(sessionId))?.counters.creditsWasted).toBe(8);
  });

  it("15. a batch whose slot is seconds before 00:00 UTC re-reserves after it instead of spending into the next day", async () => {
    const h = harness();
    h.advance(Date.parse("2025-03-04T23:58:50.000Z") - h.now());
    await h.start(symbols(16));
    const second = h.batchMessages()[1] as Extract<WorkMessage, { type: "batch" }>;
    expect(new Date(second.slotStart).toISOString()).toBe("2025-03-04T23:59:51.000Z");
    h.advance(second.slotStart - h.now());

    expect(await processBatch(h.ctx, second)).toBe("requeued_slot_expired");

    expect(h.requests).toEqual([]);
    const again = h.batchMessages().at(-1) as Extract<WorkMessage, { type: "batch" }>;
    expect(again).toMatchObject({ batch: 2, attempt: 2 });
    expect(again.slotStart).toBeGreaterThanOrEqual(Date.parse("2025-03-05T00:00:15.000Z"));
  });

  it("9. every item of a session is kept the retention beyond twice its bound", async () => {
    const h = harness();
    const { sessionId } = await h.start(symbols(1_000).map((_, i) => `S${i}`));
    const session = await h.store.getSession(sessionId);
    const created = Date.parse(session?.createdAt as string);
    const keepUntil = created + 2 * (Date.parse(session?.dueAt as string) - created);
    const [items] = h.store.everything();

    expect(Date.parse(session?.dueAt as string) - created).toBeGreaterThan(24 * 3_600_000);
    expect(items?.sessionTtl).toBe(Math.floor(keepUntil / 1000) + 7 * 86_400);
    expect(items?.batches.every((b) => b.ttl === items.sessionTtl)).toBe(true);
  });

  it("11. cancelling a paused session deletes its resume schedule", async () => {
    const h = harness({ creditsPerDay: 8 });
    await h.start(symbols(8, "A"), "k0");
    h.advance(120_000);
    const second = await h.start(symbols(8, "B"), "k1");
    expect(h.schedules.has(second.sessionId)).toBe(true);

    await new Operations(h.ctx, { datalake: "mem://{symbol}", lookbackDays: 10 }).cancel(second.sessionId, "ops");

    expect(h.schedules.has(second.sessionId)).toBe(false);
    expect(h.cancelled).toContain(second.sessionId);
  });

  it("11. a lost claim in the pump leaves the next batches fed", async () => {
    const h = harness();
    const store = h.ctx.store;
    let lost = false;
    // Batch 1 is taken by someone else between the pump's listing and its claim (a racing delivery).
    h.ctx.store = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== "queueBatch") return Reflect.get(target, property, receiver).bind(target);
        return (id: string, n: number, attempt: number, slot: number) => {
          if (n === 1 && !lost) {
            lost = true;
            return Promise.resolve(undefined);
          }
          return target.queueBatch(id, n, attempt, slot);
        };
      },
    });

    await h.start(symbols(24).map((_, i) => `S${i}`));

    expect(lost).toBe(true);
    expect(h.batchMessages().map((m) => m.batch)).toEqual([2, 3]);
  });
});

describe("waiting for the slot inside Lambda (#17)", () => {
  it("sends a message that came more than 2 s early back to the queue with the rest of its delay, claiming nothing", async () => {
    const h = harness();
    await h.start(symbols(24).map((_, i) => `S${i}`));
    const third = h.batchMessages().find((m) => m.batch === 3);
    if (!third) throw new Error("no message for batch 3");
    const early = third.slotStart - h.now();
    expect(early).toBeGreaterThan(100_000);

    expect(await processBatch(h.ctx, third)).toBe("sent_back_early");

    const back = h.sent.at(-1);
    expect(back?.message).toEqual(third);
    expect(back?.delaySeconds).toBe(Math.floor(early / 1000));
    expect((await h.store.getBatch(third.sessionId, 3))?.status).toBe("queued");
    expect(h.requests).toEqual([]);
  });

  it("reads the subjects while a message a second early waits, and requests at the slot", async () => {
    const h = harness();
    await h.start(symbols(16).map((_, i) => `S${i}`));
    const second = h.batchMessages().find((m) => m.batch === 2);
    if (!second) throw new Error("no message for batch 2");
    h.advance(second.slotStart - 900 - h.now());
    const readAt: number[] = [];
    const requestedAt: number[] = [];
    const datalake = h.ctx.datalakeFor("mem://{symbol}");
    h.ctx.datalakeFor = () => ({
      ...datalake,
      readBars: (symbol) => {
        readAt.push(h.now());
        return datalake.readBars(symbol);
      },
    });
    const provider = h.ctx.provider;
    h.ctx.provider = {
      dailyBars: (...request) => {
        requestedAt.push(h.now());
        return provider.dailyBars(...request);
      },
    };

    expect(await processBatch(h.ctx, second)).toBe("done");

    expect(Math.max(...readAt)).toBeLessThan(second.slotStart);
    expect(requestedAt).toHaveLength(1);
    expect(requestedAt[0]).toBeGreaterThanOrEqual(second.slotStart);
  });

  it("withdraws a grant that keeps coming back too late once the 5 s wait runs out: nothing requested, nothing held", async () => {
    const h = harness();
    await h.start(symbols(8));
    const [first] = h.batchMessages();
    if (!first) throw new Error("no batch message");
    const spend = h.ledger.spend.bind(h.ledger);
    const slotSpend = { slotStart: first.slotStart, credits: 8 };
    // Every write of the gate takes 400 ms to come back (a throttled table): longer than a grant may take to stand.
    h.ledger.spend = async (...args) => {
      const outcome = await spend(...args);
      h.advance(400);
      return outcome;
    };

    expect(await processBatch(h.ctx, first)).toBe("requeued_slot_expired");

    expect(h.requests).toEqual([]);
    expect(await spend(slotSpend, h.now())).toMatchObject({ kind: "granted" });
    expect((await h.store.getBatch(first.sessionId, 1))?.attempt).toBe(2);
  });
});
