import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CoordinatorResult } from "../../app/handlers/coordinator.ts";
import type { SessionRecord } from "../../app/pipeline/model.ts";
import type { StartInput, StartResult } from "../../app/pipeline/start-session.ts";
import type { LocalEvent } from "../../local/aws/eventbridge-shim.ts";
import { LocalClock } from "../../local/clock.ts";
import { createSyntheticMarket } from "../../local/market/synthetic-market.ts";
import type { MarketData } from "../../local/market/types.ts";
import { generateSampleDatalake, type SampleDatalake } from "../../local/sample-datalake/index.ts";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../local/stack.ts";
import { type LogLine, MemoryLog } from "./memory-log.ts";
import { testStartInstant } from "./pinned-clock.ts";
import { waitUntil } from "./wait-until.ts";

export interface TestStackOptions extends LocalStackOptions {
  /** Fields every start sends unless the start names them (e.g. a lookback). */
  startDefaults?: Partial<StartInput>;
}

export interface TestStack {
  stack: LocalStack;
  /** The stack's clock, pinned to the test start instant unless the options gave another. */
  clock: LocalClock;
  market: MarketData;
  sample: SampleDatalake;
  /** The sample datalake's directory, for tests that plant files. */
  dir: string;
  /** The clock's instant at the start: every session's as-of, and what the sample datalake was generated for. */
  asOf: Date;
  /** The pipeline's log: every line, debug included. */
  log: MemoryLog;
  logs: LogLine[];
  /** Through the coordinator function, as every starter does; a rejection is returned, not thrown. */
  coordinate(input: Partial<StartInput> & Record<string, unknown>): Promise<CoordinatorResult>;
  /** As coordinate, but a rejection throws. */
  start(input: Partial<StartInput>): Promise<StartResult>;
  /** Waits until the session leaves `running`, its final event is published and every delivery has settled. */
  waitForFinal(sessionId: string, timeoutMs?: number): Promise<SessionRecord>;
  finalEvents(sessionId: string): LocalEvent[];
  stop(): Promise<void>;
}

/**
 * The local stack at scaled time (8 credits per 1 s window) over a fresh sample datalake with its labelled defects,
 * its clock pinned to the test start instant (testStartInstant), its log kept, and no daily schedule (a test that
 * moves the clock across days must not meet the daily cron unless it asks for it). Options override any of it.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const { startDefaults, ...stackOptions } = options;
  const market = options.market ?? createSyntheticMarket();
  const clock = options.clock ?? new LocalClock(testStartInstant());
  const asOf = new Date(clock.now());
  const dir = mkdtempSync(join(tmpdir(), "dq-test-"));
  const log = new MemoryLog();
  let stack: LocalStack;
  let sample: SampleDatalake;
  try {
    sample = await generateSampleDatalake({ dir, market, asOf });
    stack = await startLocalStack({
      creditsPerMinute: 8,
      creditWindowSeconds: 1,
      creditsPerDay: null,
      datalake: sample.uriTemplate,
      visibilityTimeoutSeconds: 2,
      processorConcurrency: 4,
      log,
      dailySchedule: false,
      ...stackOptions,
      market,
      clock,
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const coordinator = stack.functions.coordinator;
  if (!coordinator) throw new Error("the local stack has no coordinator");
  const coordinate = (input: Partial<StartInput> & Record<string, unknown>) =>
    coordinator({
      datalake: sample.uriTemplate,
      asOf: asOf.toISOString(),
      ...startDefaults,
      ...input,
    }) as Promise<CoordinatorResult>;
  const finalEvents = (sessionId: string) =>
    stack.eventBridge
      .events()
      .filter(
        (e) =>
          (e["detail-type"] === "WorkflowCompleted" || e["detail-type"] === "WorkflowFailed") &&
          (e.detail as { sessionId?: string }).sessionId === sessionId,
      );
  return {
    stack,
    clock,
    market,
    sample,
    dir,
    asOf,
    log,
    logs: log.lines,
    coordinate,
    async start(input) {
      const result = await coordinate(input);
      if (result.status === "rejected") throw new Error(result.error);
      return result;
    },
    async waitForFinal(sessionId, timeoutMs = 60_000) {
      let last: SessionRecord | undefined;
      const session = await waitUntil(
        async () => {
          last = await stack.runtime.ctx.store.getSession(sessionId);
          // The claim (finalEventAt) comes before the publish: wait for the event itself.
          const final = last && last.status !== "running" && last.finalEventAt && finalEvents(sessionId).length > 0;
          return final ? last : undefined;
        },
        {
          timeoutMs,
          intervalMs: 100,
          what: () => `session ${sessionId} to finish with a published final event (it is ${last?.status ?? "absent"})`,
        },
      );
      await stack.eventBridge.idle();
      return session;
    },
    finalEvents,
    async stop() {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
