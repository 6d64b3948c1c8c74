import { describe, expect, it } from "vitest";
import { parseProfile } from "../../app/config/load-profile.ts";
import { deepCheckSchedule } from "../../app/config/profile-settings.ts";
import { createCoordinatorHandler } from "../../app/handlers/coordinator.ts";
import { defaultSettings, type PipelineContext } from "../../app/pipeline/context.ts";
import { Operations } from "../../app/pipeline/operations.ts";
import type { PipelineRuntime } from "../../app/runtime/pipeline-runtime.ts";
import { SCHEDULE } from "../../app/wiring.ts";
import { MemoryCreditLedger } from "../../sim/memory/credit-ledger.ts";
import { MemorySessionStore } from "../../sim/memory/session-store.ts";
import { testStartInstant } from "../helpers/pinned-clock.ts";

/** The coordinator handler on in-memory ports: sessions are started and stored, batches queued nowhere. */
function coordinator() {
  const now = testStartInstant();
  const store = new MemorySessionStore({ clock: () => now });
  const ctx: PipelineContext = {
    store,
    ledger: new MemoryCreditLedger({ creditsPerSlot: 8, creditsPerDay: 800, windowMs: 60_000, marginMs: 1_000 }),
    queue: { async send() {} },
    events: { async publish() {} },
    resume: { async scheduleResume() {}, async cancelResume() {} },
    provider: { dailyBars: () => Promise.reject(new Error("the coordinator never calls the provider")) },
    datalakeFor: () => ({
      readBars: async () => [],
      listSymbols: async () => ["AAPL", "MSFT", "SPY"],
      describe: (symbol) => symbol,
    }),
    clock: () => now,
    sleep: async () => {},
    log: { debug() {}, info() {}, warn() {}, error() {} },
    metrics: { count() {} },
    settings: defaultSettings({ creditsPerWindow: 8, batchSize: 8, creditsPerDay: 800 }),
  };
  const runtime = {
    ctx,
    operations: new Operations(ctx, { datalake: "mem://{symbol}", lookbackDays: 30 }),
    flush() {},
  } as unknown as PipelineRuntime;
  return { handler: createCoordinatorHandler(async () => runtime), store };
}

/** What EventBridge Scheduler sends: the schedule's input with its context attribute filled in. */
const fired = (input: Record<string, unknown>, scheduledTime: string) =>
  JSON.parse(JSON.stringify(input).replaceAll("<aws.scheduler.scheduled-time>", scheduledTime));

describe("the coordinator, started by the weekly deep-check schedule", () => {
  const deep = deepCheckSchedule(parseProfile("deepCheck: {}\n", "test"));
  const SATURDAY = "2026-01-17T04:30:00Z";

  it("starts a session over the deep lookback, once per scheduled time, apart from the daily session", async () => {
    const { handler, store } = coordinator();
    const input = fired(deep?.input ?? {}, SATURDAY);

    const started = await handler(input);
    const again = await handler(input);
    const daily = await handler(fired(SCHEDULE.dailyInput, SATURDAY));

    expect(started).toMatchObject({ status: "initiated", totalSymbols: 3 });
    expect(again).toMatchObject({ status: "duplicate" });
    expect("sessionId" in again && "sessionId" in started && again.sessionId === started.sessionId).toBe(true);
    expect(daily).toMatchObject({ status: "initiated" });
    const session = await store.getSession((started as { sessionId: string }).sessionId);
    const dailySession = await store.getSession((daily as { sessionId: string }).sessionId);
    expect(session?.params.lookbackDays).toBe(366);
    expect(session?.startedBy).toEqual({ kind: "schedule" });
    expect(dailySession?.params.lookbackDays).toBe(30);
  });
});
