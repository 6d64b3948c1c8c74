/**
 * What every reliability scenario must leave true, checked against the table, the events and the provider's counts.
 * It stays beside the suite: it reads the reliability stack's fault counters and proxy, which only that suite has.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "vitest";
import type { SessionRecord } from "../../app/pipeline/model.ts";
import { TABLE } from "../../app/wiring.ts";
import { localClientConfig } from "../../local/aws/env.ts";
import { CREDITS_PER_WINDOW, type Reliability } from "./harness.ts";

/** Causes a scenario declares for what would otherwise break an invariant; each is checked for being counted. */
export interface Allowances {
  /** 429s the test's own second consumer received (not dq's). */
  external429s?: number;
  /** Credits the second consumer spent: they share the rolling window with dq's. */
  externalCredits?: number;
  /** dq may meet 429s (a second consumer or skewed clocks); each must be counted as RateLimited. */
  rateLimits?: boolean;
  /** Symbols the test knows were charged again because it crashed a worker after the provider answered. */
  crashRecharges?: number;
}

export interface InvariantReport {
  sessions: number;
  symbols: number;
  results: number;
  /** Symbols of a non-cancelled session without a result: must be 0. */
  resultsLost: number;
  finalEvents: number;
  rateLimited: number;
  /** Symbols charged more than once, beyond what the sessions asked for. */
  repeatCharges: number;
  /** What accounts for them: the sessions' creditsWasted plus the declared crash re-charges. */
  repeatChargesCounted: number;
  maxCreditsInAnyWindow: number;
  tableItems: number;
  checks: number;
}

/**
 * The invariants every scenario ends with. Checks, with a message naming the session and what broke:
 * every symbol of a (non-cancelled) session has exactly one result and is counted once; every session is final
 * and published exactly one WorkflowCompleted or WorkflowFailed; credits never exceed the plan in any rolling
 * window and every 429 is counted; no symbol is charged twice unless a counted cause forced it; every item has a TTL.
 */
export async function checkInvariants(
  r: Reliability,
  sessionIds: readonly string[],
  allow: Allowances = {},
): Promise<InvariantReport> {
  const store = r.stack.runtime.ctx.store;
  const report: InvariantReport = {
    sessions: 0,
    symbols: 0,
    results: 0,
    resultsLost: 0,
    finalEvents: 0,
    rateLimited: 0,
    repeatCharges: 0,
    repeatChargesCounted: 0,
    maxCreditsInAnyWindow: 0,
    tableItems: 0,
    checks: 0,
  };
  const check = (ok: boolean, message: string) => {
    report.checks++;
    expect(ok, message).toBe(true);
  };
  const wanted = new Map<string, number>();
  let wasted = 0;

  for (const id of new Set(sessionIds)) {
    const session = await store.getSession(id);
    check(session !== undefined, `session ${id} exists`);
    if (!session) continue;
    report.sessions++;
    check(session.status !== "running" && session.finalEventAt !== undefined, `${id} is final (${session.status})`);
    const finals = r.stack.eventBridge
      .events()
      .filter(
        (e) =>
          (e["detail-type"] === "WorkflowCompleted" || e["detail-type"] === "WorkflowFailed") &&
          (e.detail as { sessionId?: string }).sessionId === id,
      );
    report.finalEvents += finals.length;
    const expectedType = session.status === "completed" ? "WorkflowCompleted" : "WorkflowFailed";
    check(
      finals.length === 1 && finals[0]?.["detail-type"] === expectedType,
      `${id} (${session.status}) published exactly one ${expectedType}; got [${finals.map((e) => e["detail-type"]).join(", ")}]`,
    );

    const symbols = await sessionSymbols(r, id);
    const { results } = await r.stack.runtime.operations.allResults(id);
    const resulted = results.map((x) => x.symbol);
    check(new Set(resulted).size === resulted.length, `${id}: no symbol has two results`);
    check(
      resulted.every((s) => symbols.includes(s)),
      `${id}: every result belongs to one of the session's symbols`,
    );
    report.symbols += symbols.length;
    report.results += results.length;
    wasted += session.counters.creditsWasted;
    for (const s of symbols) wanted.set(s, (wanted.get(s) ?? 0) + 1);
    checkCounters(session, results.length, check);
    if (session.status !== "cancelled") {
      const missing = symbols.filter((s) => !resulted.includes(s));
      report.resultsLost += missing.length;
      check(missing.length === 0, `${id}: every symbol has a result; missing ${missing.slice(0, 10).join(", ")}`);
      check(results.length === session.totalSymbols, `${id}: ${results.length} results for ${session.totalSymbols}`);
    }
  }

  const counts = r.emulator.counts();
  report.maxCreditsInAnyWindow = counts.maxCreditsInAnyWindow;
  const ours = counts.rateLimited - (allow.external429s ?? 0);
  report.rateLimited = ours;
  if (!allow.rateLimits) check(ours === 0, `no 429 without a declared cause; got ${ours}`);
  if (!allow.externalCredits)
    check(
      counts.maxCreditsInAnyWindow <= CREDITS_PER_WINDOW,
      `at most ${CREDITS_PER_WINDOW} credits in any rolling window; got ${counts.maxCreditsInAnyWindow}`,
    );
  check(
    r.metrics.get("RateLimited") === ours,
    `every 429 counted as RateLimited (${r.metrics.get("RateLimited")} counted, ${ours} answered)`,
  );

  for (const [symbol, n] of wanted) report.repeatCharges += Math.max(0, (counts.bySymbol[symbol] ?? 0) - n);
  report.repeatChargesCounted = wasted + (allow.crashRecharges ?? 0);
  check(
    report.repeatCharges <= report.repeatChargesCounted,
    `repeat charges ${report.repeatCharges} are all counted (creditsWasted ${wasted} + crash re-charges ${allow.crashRecharges ?? 0})`,
  );

  const items = await scanTable(r);
  report.tableItems = items.length;
  const now = Math.floor(r.clock.now() / 1000);
  const withoutTtl = items.filter((item) => typeof item[TABLE.ttlAttribute] !== "number");
  check(withoutTtl.length === 0, `every item has a TTL; without: ${withoutTtl.map(keyOf).slice(0, 5).join(", ")}`);
  const expired = items.filter((item) => Number(item[TABLE.ttlAttribute]) <= now);
  check(expired.length === 0, `no item is written already expired: ${expired.map(keyOf).slice(0, 5).join(", ")}`);
  return report;
}

/** Each symbol counted once: the counters add up to the results and the batches to the total. */
function checkCounters(session: SessionRecord, results: number, check: (ok: boolean, message: string) => void): void {
  const c = session.counters;
  const counted = c.passed + c.failed + c.errored;
  const batches = c.batchesDone + c.batchesFailed;
  if (session.status === "cancelled") {
    check(counted <= results && batches <= session.totalBatches, `${session.sessionId}: counters within bounds`);
    return;
  }
  check(counted === session.totalSymbols, `${session.sessionId}: counted ${counted} of ${session.totalSymbols}`);
  check(batches === session.totalBatches, `${session.sessionId}: ${batches} of ${session.totalBatches} batches`);
}

export async function sessionSymbols(r: Reliability, sessionId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await r.stack.runtime.ctx.store.listBatches(sessionId, { limit: 500, cursor });
    for (const b of page.items) out.push(...b.symbols);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Every item of the table, with a client of its own (no injected faults). */
export async function scanTable(r: Reliability): Promise<Record<string, unknown>[]> {
  const endpoint = r.stack.endpoints.dynamodb;
  if (!endpoint) throw new Error("the local stack has no DynamoDB endpoint");
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(localClientConfig(endpoint)));
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: r.stack.names.table, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  client.destroy();
  return items;
}

function keyOf(item: Record<string, unknown>): string {
  return `${String(item.PK)} / ${String(item.SK)}`;
}
