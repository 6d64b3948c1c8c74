import { describe, expect, it } from "vitest";
import type { Log, PipelineContext } from "../../app/pipeline/context.ts";
import { finalize } from "../../app/pipeline/finalize.ts";
import { type BatchRecord, emptyCounters, type SessionRecord } from "../../app/pipeline/model.ts";
import { processBatch } from "../../app/pipeline/process-batch.ts";
import { MemoryCreditLedger } from "../../sim/memory/credit-ledger.ts";

/**
 * When a failure's clean-up fails too (giving a lease or a claim back), the original failure is what the caller
 * sees, and the clean-up's error is logged rather than swallowed.
 */
const NOW = Date.parse("2026-01-16T05:00:00.000Z");

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: "s-1",
    correlationId: "s-1",
    status: "running",
    params: { datalake: "file:///tmp/{symbol}.csv", lookbackDays: 10, asOf: "2026-01-16T04:00:00.000Z", batchSize: 2 },
    totalSymbols: 2,
    totalBatches: 1,
    counters: { ...emptyCounters(), batchesDone: 1 },
    createdAt: "2026-01-16T04:30:00.000Z",
    startedBy: { kind: "cli" },
    ...overrides,
  };
}

function memoryLog() {
  const lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const log: Log = {
    debug: () => {},
    info: (message, extra) => lines.push({ level: "info", message, extra }),
    warn: (message, extra) => lines.push({ level: "warn", message, extra }),
    error: (message, extra) => lines.push({ level: "error", message, extra }),
  };
  return { log, lines };
}

/** A context whose store, events and datalake are the given partial fakes; anything else used fails the test. */
function context(parts: {
  store: Partial<PipelineContext["store"]>;
  events?: Partial<PipelineContext["events"]>;
  datalakeFor?: PipelineContext["datalakeFor"];
  log: Log;
}): PipelineContext {
  return {
    store: parts.store,
    events: parts.events ?? {},
    resume: { cancelResume: async () => {} },
    // The processor reads the key's share before its request: an idle account's ledger.
    ledger: new MemoryCreditLedger({ creditsPerSlot: 8, creditsPerDay: null, windowMs: 1000, marginMs: 20 }),
    datalakeFor: parts.datalakeFor ?? (() => ({}) as never),
    log: parts.log,
    clock: () => NOW,
    sleep: async () => {},
    metrics: { count: () => {} },
    settings: { leaseMs: 60_000, windowMs: 1000, marginMs: 20 },
  } as unknown as PipelineContext;
}

describe("processBatch", () => {
  it("throws the batch's own failure and logs a lease it could not give back", async () => {
    const batch: BatchRecord = {
      sessionId: "s-1",
      batch: 1,
      symbols: ["AAPL", "MSFT"],
      status: "processing",
      attempt: 1,
      providerFailures: 0,
    };
    const { log, lines } = memoryLog();
    const ctx = context({
      store: {
        getSession: async () => session(),
        claimBatch: async () => batch,
        async interruptBatch() {
          throw new Error("throttled: lease release");
        },
      },
      datalakeFor: () => {
        throw new Error("datalake exploded");
      },
      log,
    });

    const processing = processBatch(ctx, { type: "batch", sessionId: "s-1", batch: 1, attempt: 1, slotStart: NOW });

    await expect(processing).rejects.toThrow("datalake exploded");
    const warning = lines.find((l) => l.level === "warn");
    expect(warning?.message).toMatch(/lease not given back/);
    expect(warning?.extra).toMatchObject({ sessionId: "s-1", batch: 1, error: "Error: throttled: lease release" });
  });
});

describe("finalize", () => {
  it("throws the publish failure and logs a final-event claim it could not give back", async () => {
    const finished = session({ status: "completed", finishedAt: "2026-01-16T05:00:00.000Z" });
    const { log, lines } = memoryLog();
    const ctx = context({
      store: {
        finishSession: async () => finished,
        claimFinalEvent: async (_sessionId, at) => ({ ...finished, finalEventAt: at }),
        async releaseFinalEvent() {
          throw new Error("throttled: claim release");
        },
        listResults: async () => ({ items: [] }),
      },
      events: {
        publish: async () => {
          throw new Error("event bus unavailable");
        },
      },
      log,
    });

    await expect(finalize(ctx, session())).rejects.toThrow("event bus unavailable");
    const warning = lines.find((l) => l.level === "warn");
    expect(warning?.message).toMatch(/final event claim not released/);
    expect(warning?.extra).toMatchObject({ sessionId: "s-1", error: "Error: throttled: claim release" });
  });
});
