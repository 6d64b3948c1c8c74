/** Records as the session store holds them (sessions, batches, results), for the store's and the Slack views' tests. */
import type { BatchRecord, SessionRecord, StoredResult } from "../../app/pipeline/model.ts";
import { emptyCounters } from "../../app/pipeline/model.ts";

/** A new session of 16 symbols in 2 batches, nothing counted yet, as the store first writes it. */
export function sessionRecord(sessionId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId,
    correlationId: `corr-${sessionId}`,
    status: "running",
    params: { datalake: "file:///data/{symbol}.csv", lookbackDays: 10, asOf: "2025-03-04T04:30:00.000Z", batchSize: 8 },
    totalSymbols: 16,
    totalBatches: 2,
    counters: emptyCounters(),
    createdAt: "2025-03-04T04:30:00.000Z",
    startedBy: { kind: "cli", user: "ops" },
    ...overrides,
  };
}

export function batchRecord(sessionId: string, batch: number, overrides: Partial<BatchRecord> = {}): BatchRecord {
  return {
    sessionId,
    batch,
    symbols: [`S${batch}A`, `S${batch}B`],
    status: "pending",
    attempt: 0,
    providerFailures: 0,
    ...overrides,
  };
}

export function storedResult(sessionId: string, symbol: string, overrides: Partial<StoredResult> = {}): StoredResult {
  return {
    sessionId,
    symbol,
    batch: 0,
    status: "pass",
    issues: [],
    metrics: {
      subjectRows: 7,
      referenceRows: 7,
      comparedRows: 7,
      maxDiffPct: 0,
      lastSubjectDate: "2025-03-03",
      lastReferenceDate: "2025-03-03",
    },
    validatedAt: "2025-03-04T04:31:00.000Z",
    ...overrides,
  };
}

/** A scheduled session of 200 symbols half-way through (13 of 25 batches), as the Slack views show one. */
export function sessionInProgress(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: "s-0123456789abcdef0123",
    correlationId: "s-0123456789abcdef0123",
    status: "running",
    params: { datalake: "file:///tmp/{symbol}.csv", lookbackDays: 10, asOf: "2026-01-16T05:00:00.000Z", batchSize: 8 },
    totalSymbols: 200,
    totalBatches: 25,
    counters: { ...emptyCounters(), batchesDone: 13, passed: 98, failed: 5, errored: 1, creditsUsed: 104 },
    createdAt: "2026-01-16T04:30:00.000Z",
    startedBy: { kind: "schedule" },
    ...overrides,
  };
}
