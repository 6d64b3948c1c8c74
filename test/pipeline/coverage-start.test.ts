import { describe, expect, it } from "vitest";
import { createCoordinatorHandler } from "../../app/handlers/coordinator.ts";
import { defaultSettings, type PipelineContext } from "../../app/pipeline/context.ts";
import { universeKey } from "../../app/pipeline/coverage.ts";
import { planCoverage } from "../../app/pipeline/coverage-session.ts";
import { Operations } from "../../app/pipeline/operations.ts";
import type { StartDefaults } from "../../app/pipeline/start-session.ts";
import type { PipelineRuntime } from "../../app/runtime/pipeline-runtime.ts";
import { MemoryCoverageStore } from "../../sim/memory/coverage-store.ts";
import { MemoryCreditLedger } from "../../sim/memory/credit-ledger.ts";
import { MemorySessionStore } from "../../sim/memory/session-store.ts";
import { testStartInstant } from "../helpers/pinned-clock.ts";

const DATALAKE = "mem://{symbol}";
const UNIVERSE = Array.from({ length: 10 }, (_, i) => `S${i}`);

/** The coordinator on in-memory ports with coverage, over a datalake listing 10 symbols, at `perDay` credits a day. */
function coordinator(perDay: number, defaults: Partial<StartDefaults> = {}) {
  const now = testStartInstant();
  const store = new MemorySessionStore({ clock: () => now });
  const coverage = new MemoryCoverageStore({ clock: () => now });
  const ledger = new MemoryCreditLedger({
    creditsPerSlot: 8,
    creditsPerDay: perDay,
    windowMs: 60_000,
    marginMs: 1_000,
  });
  const ctx: PipelineContext = {
    store,
    ledger,
    coverage,
    queue: { async send() {} },
    events: { async publish() {} },
    resume: { async scheduleResume() {}, async cancelResume() {} },
    provider: { dailyBars: () => Promise.reject(new Error("the coordinator never calls the provider")) },
    datalakeFor: () => ({ readBars: async () => [], listSymbols: async () => UNIVERSE, describe: (s) => s }),
    clock: () => now,
    sleep: async () => {},
    log: { debug() {}, info() {}, warn() {}, error() {} },
    metrics: { count() {} },
    settings: defaultSettings({ creditsPerWindow: 8, batchSize: 8, creditsPerDay: perDay }),
  };
  const operations = new Operations(ctx, { datalake: DATALAKE, lookbackDays: 30, ...defaults });
  const runtime = { ctx, operations, flush() {} } as unknown as PipelineRuntime;
  return { handler: createCoordinatorHandler(async () => runtime), store, coverage, ledger, now, ctx };
}

const daily = (key: string) => ({ startedBy: { kind: "schedule" }, idempotencyKey: key });

describe("a start over the universe", () => {
  it("checks a universe that fits in the plan's day whole, as a round of its coverage", async () => {
    const { handler, store, coverage } = coordinator(800);

    const started = await handler(daily("d1"));

    expect(started).toMatchObject({ status: "initiated", totalSymbols: 10 });
    const session = await store.getSession((started as { sessionId: string }).sessionId);
    expect(session?.params.coverage).toMatchObject({ mode: "full", round: 1, universeSize: 10, rotation: 1 });
    expect((await coverage.getRound(universeKey(DATALAKE)))?.figures?.neverChecked).toBe(10);
  });

  it("takes a slice of what is left of the day when the universe is larger than it", async () => {
    const { handler, ledger, now } = coordinator(4);
    // Another session of the key has reserved 3 of today's 4 credits.
    await ledger.reserve(3, now, 900_000);

    const started = await handler(daily("d1"));

    expect(started).toMatchObject({ status: "initiated", totalSymbols: 1 });
  });

  it("refuses in one line, counting no round, when nothing of the day is left", async () => {
    const { handler, ledger, coverage, now } = coordinator(4);
    await ledger.reserve(4, now, 900_000);

    const answer = await handler(daily("d1"));

    expect(answer).toEqual({
      status: "rejected",
      error:
        "no credits left today for the coverage slice (4 a day, spent or held by running sessions); the next daily run takes its share",
    });
    expect(await coverage.getRound(universeKey(DATALAKE))).toBeUndefined();
  });

  it("checks the whole universe and records nothing with coverage off", async () => {
    const { handler, store } = coordinator(4, { coverage: "off" });

    const started = await handler(daily("d1"));

    expect(started).toMatchObject({ status: "initiated", totalSymbols: 10 });
    const session = await store.getSession((started as { sessionId: string }).sessionId);
    expect(session?.params.coverage).toBeUndefined();
  });

  it("checks named symbols as asked, outside coverage", async () => {
    const { handler, store } = coordinator(4);

    const started = await handler({ symbols: ["S1", "S2", "S3", "S4", "S5", "S6"] });

    expect(started).toMatchObject({ status: "initiated", totalSymbols: 6 });
    expect((await store.getSession((started as { sessionId: string }).sessionId))?.params.coverage).toBeUndefined();
  });

  it("counts one round for a start delivered twice", async () => {
    const { handler, coverage } = coordinator(4);

    await handler(daily("d1"));
    await handler(daily("d1"));

    expect((await coverage.getRound(universeKey(DATALAKE)))?.round).toBe(1);
  });

  it("gives a start delivered twice the same slice, whatever the first delivery reserved in between", async () => {
    const { ctx, ledger, now } = coordinator(4);
    const plan = () =>
      planCoverage(ctx, { sessionId: "s-daily", universe: UNIVERSE, datalake: DATALAKE, lookbackDays: 30, now });

    const first = await plan();
    // The first delivery's pump reserved its credits; then the start is delivered again.
    await ledger.reserve(4, now, 900_000);
    const second = await plan();

    expect(first.symbols).toHaveLength(4);
    expect(second).toEqual(first);
  });
});
