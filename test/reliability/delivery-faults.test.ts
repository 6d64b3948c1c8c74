import { expect } from "vitest";
import { type Scenario, scenarioSuite } from "./scenario.ts";

/**
 * Faults of delivery and storage: duplicated and redelivered messages, crashed workers, poison messages,
 * DynamoDB throttling and genuine conditional-write races, EventBridge put failures. The emulator reads the
 * window as calendar-aligned here, so an over-spend is not refused but shows in the rolling maximum.
 */
const BATCH = 8;

const scenarios: Scenario[] = [
  {
    name: "every message delivered twice at once, every session and batch conditional write made to collide",
    async run(r) {
      r.processor.duplicate = true;
      r.dynamo.collideConditionalWrites(500);
      const started = await r.start({ symbols: r.sample.symbols.slice(0, 24) });
      const session = await r.waitForFinal(started.sessionId);
      expect(session.status).toBe("completed");
      expect(r.faults.get("duplicate delivery")).toBeGreaterThan(0);
      expect(r.faults.get("conditional write collision")).toBeGreaterThan(0);
      return { sessionIds: [started.sessionId] };
    },
  },
  {
    name: "a worker dies after writing its results: the redelivery keeps them and finishes the batch without re-charging",
    async run(r) {
      r.dynamo.crashAfterResultsWrite(2);
      const started = await r.start({ symbols: r.sample.symbols.slice(24, 48) });
      const session = await r.waitForFinal(started.sessionId);
      expect(session.status).toBe("completed");
      const crashes = r.faults.get("processor crash after results write");
      expect(crashes).toBe(2);
      // The results were stored before each crash: the redelivery keeps them and asks the provider for nothing.
      return { sessionIds: [started.sessionId], allow: { crashRecharges: 0 } };
    },
  },
  {
    name: "a batch that throws on every delivery goes to the DLQ, is failed with error results, and the session ends",
    async run(r) {
      r.processor.poisonBatches.add(2);
      const started = await r.start({ symbols: r.sample.symbols.slice(0, 24) });
      const session = await r.waitForFinal(started.sessionId, 90_000);
      expect(session.status).toBe("failed");
      expect(session.counters).toMatchObject({ batchesDone: 2, batchesFailed: 1, errored: BATCH });
      expect(r.logs.some((l) => l.message === "batch dead-lettered" && l.extra?.sessionId === started.sessionId)).toBe(
        true,
      );
      return { sessionIds: [started.sessionId] };
    },
    timeoutMs: 120_000,
  },
  {
    name: "DynamoDB throttles one request in three (the SDK retries) and then three in a row (the handler retries)",
    async run(r) {
      r.dynamo.throttle(40, { every: 3 });
      const started = await r.start({ symbols: r.sample.symbols.slice(8, 40) });
      // Three in a row outlast the SDK's retries: one call fails in the handler, and its message is redelivered.
      r.dynamo.throttle(3, { every: 1, commands: ["UpdateItemCommand"] });
      const session = await r.waitForFinal(started.sessionId, 90_000);
      expect(session.status).toBe("completed");
      expect(r.faults.get("dynamodb throttle")).toBeGreaterThan(3);
      // A throttle that fails the batch's last transition acts as a crash after the provider answered.
      return { sessionIds: [started.sessionId], allow: { crashRecharges: BATCH } };
    },
    timeoutMs: 120_000,
  },
  {
    name: "EventBridge refuses two puts: the publisher retries and every event arrives",
    async run(r) {
      r.stack.eventBridge.failNext(2, "ThrottlingException");
      r.faults.add("eventbridge put failure", 2);
      const started = await r.start({ symbols: r.sample.symbols.slice(0, 16) });
      const session = await r.waitForFinal(started.sessionId);
      expect(session.status).toBe("completed");
      return { sessionIds: [started.sessionId] };
    },
  },
  {
    name: "EventBridge refuses every attempt at the final event: it is logged, and the redelivery publishes it",
    async run(r) {
      // One batch: its worker publishes the final event. The publisher makes 4 attempts; all 4 fail.
      const symbols = r.sample.symbols.slice(16, 24);
      const before = r.logs.length;
      r.stack.eventBridge.failNext(4, "InternalFailure");
      r.faults.add("eventbridge put failure", 4);
      const started = await r.start({ symbols });
      const session = await r.waitForFinal(started.sessionId, 60_000);
      expect(session.status).toBe("completed");
      const errors = r.logs.slice(before).filter((l) => l.level === "error" && /final event/.test(l.message));
      expect(errors.map((l) => l.extra?.sessionId)).toContain(started.sessionId);
      return { sessionIds: [started.sessionId] };
    },
  },
];

scenarioSuite("delivery and storage faults", "delivery-faults", scenarios, { windowMode: "calendar" });
