import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Log } from "../../app/pipeline/context.ts";
import type { SessionRecord } from "../../app/pipeline/model.ts";
import type { StartInput, StartResult } from "../../app/pipeline/start-session.ts";
import type { LocalEvent } from "../../local/aws/eventbridge-shim.ts";
import { LocalClock } from "../../local/clock.ts";
import { createSyntheticMarket } from "../../local/market/synthetic-market.ts";
import { generateSampleDatalake, type SampleDatalake } from "../../local/sample-datalake/index.ts";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../local/stack.ts";
import { testStartInstant } from "./pinned-clock.ts";

export interface TestStack {
  stack: LocalStack;
  sample: SampleDatalake;
  asOf: Date;
  logs: { level: string; message: string; extra?: Record<string, unknown> }[];
  /** Starts a session through the coordinator function, as every starter does. */
  start(
    input: Omit<StartInput, "datalake" | "asOf"> & Partial<Pick<StartInput, "datalake" | "asOf">>,
  ): Promise<StartResult>;
  /** Waits until the session leaves `running` and every event delivery has settled. */
  waitForFinal(sessionId: string, timeoutMs?: number): Promise<SessionRecord>;
  finalEvents(sessionId: string): LocalEvent[];
  stop(): Promise<void>;
}

/**
 * A local stack at scaled time (1 s credit windows) over a fresh sample datalake with its labelled defects, its clock
 * pinned to the test start instant, and no daily schedule (a test that moves the clock across days must not meet
 * the daily cron unless it asks for it).
 */
export async function startTestStack(options: LocalStackOptions = {}): Promise<TestStack> {
  const market = options.market ?? createSyntheticMarket();
  const clock = options.clock ?? new LocalClock(testStartInstant());
  const asOf = new Date(clock.now());
  const dir = mkdtempSync(join(tmpdir(), "dq-test-"));
  const sample = await generateSampleDatalake({ dir, market, asOf });
  const logs: TestStack["logs"] = [];
  const log: Log = {
    debug: () => {},
    info: (message, extra) => logs.push({ level: "info", message, extra }),
    warn: (message, extra) => logs.push({ level: "warn", message, extra }),
    error: (message, extra) => logs.push({ level: "error", message, extra }),
  };
  const stack = await startLocalStack({
    market,
    creditsPerMinute: 8,
    creditWindowSeconds: 1,
    creditsPerDay: null,
    datalake: sample.uriTemplate,
    visibilityTimeoutSeconds: 2,
    processorConcurrency: 4,
    log,
    dailySchedule: false,
    ...options,
    clock,
  });
  const coordinator = stack.functions.coordinator;
  if (!coordinator) throw new Error("the local stack has no coordinator");
  return {
    stack,
    sample,
    asOf,
    logs,
    async start(input) {
      const result = (await coordinator({ datalake: sample.uriTemplate, asOf: asOf.toISOString(), ...input })) as
        | StartResult
        | { status: "rejected"; error: string };
      if (result.status === "rejected") throw new Error(result.error);
      return result;
    },
    async waitForFinal(sessionId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const session = await stack.runtime.ctx.store.getSession(sessionId);
        if (session && session.status !== "running" && session.finalEventAt) {
          await stack.eventBridge.idle();
          return session;
        }
        if (Date.now() > deadline)
          throw new Error(`session ${sessionId} still ${session?.status} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    finalEvents(sessionId) {
      return stack.eventBridge
        .events()
        .filter(
          (e) =>
            (e["detail-type"] === "WorkflowCompleted" || e["detail-type"] === "WorkflowFailed") &&
            (e.detail as { sessionId?: string }).sessionId === sessionId,
        );
    },
    async stop() {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
