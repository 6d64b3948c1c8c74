import type { BatchRecord, SessionCounters, SessionRecord, StoredResult } from "../../pipeline/model.ts";
import { emptyCounters } from "../../pipeline/model.ts";
import { TABLE } from "../../wiring.ts";

/**
 * The one place that maps session records to table items and back. A session item holds its counters as flat
 * top-level attributes (ADD only works on top-level attributes) and the number set `counted` of batches already
 * counted; never a per-batch or per-symbol list, so it stays small whatever the universe.
 */
export type Item = Record<string, unknown>;

export const PK = TABLE.partitionKey;
export const SK = TABLE.sortKey;
export const GSI_PK = TABLE.sessionsIndex.partitionKey;
export const GSI_SK = TABLE.sessionsIndex.sortKey;
export const TTL = TABLE.ttlAttribute;

export const SESSIONS_PARTITION = "SESSIONS";
export const META = "META";
export const BATCH_PREFIX = "BATCH#";
export const RESULT_PREFIX = "RESULT#";
/** Batch numbers already added to the session's counters. */
export const COUNTED = "counted";
const TYPE = "type";

export const COUNTER_NAMES = [
  "batchesDone",
  "batchesFailed",
  "passed",
  "failed",
  "errored",
  "creditsUsed",
  "creditsWasted",
] as const satisfies readonly (keyof SessionCounters)[];

/** Attributes that belong to the table's layout, never to a record. */
const LAYOUT = [PK, SK, GSI_PK, GSI_SK, TTL, TYPE, COUNTED] as const;

export const sessionPk = (sessionId: string) => `SESSION#${sessionId}`;
export const batchSk = (batch: number) => `${BATCH_PREFIX}${String(batch).padStart(6, "0")}`;
export const resultSk = (symbol: string) => `${RESULT_PREFIX}${symbol}`;

export const sessionKey = (sessionId: string): Item => ({ [PK]: sessionPk(sessionId), [SK]: META });
export const batchKey = (sessionId: string, batch: number): Item => ({
  [PK]: sessionPk(sessionId),
  [SK]: batchSk(batch),
});
export const resultKey = (sessionId: string, symbol: string): Item => ({
  [PK]: sessionPk(sessionId),
  [SK]: resultSk(symbol),
});

/** The GSI sort key: newest first when read backwards; the id breaks ties between equal timestamps. */
export const sessionsIndexSk = (createdAt: string, sessionId: string) => `${createdAt}#${sessionId}`;

export function sessionToItem(session: SessionRecord, ttl: number): Item {
  const { counters, ...rest } = session;
  return withoutUndefined({
    ...sessionKey(session.sessionId),
    [GSI_PK]: SESSIONS_PARTITION,
    [GSI_SK]: sessionsIndexSk(session.createdAt, session.sessionId),
    [TYPE]: "session",
    [TTL]: ttl,
    ...rest,
    ...counters,
  });
}

export function itemToSession(item: Item): SessionRecord {
  const counters = emptyCounters();
  for (const name of COUNTER_NAMES) counters[name] = Number(item[name] ?? 0);
  const record = omit(item, [...LAYOUT, ...COUNTER_NAMES]) as Omit<SessionRecord, "counters">;
  return { ...record, counters };
}

export function batchToItem(batch: BatchRecord, ttl: number): Item {
  return withoutUndefined({ ...batchKey(batch.sessionId, batch.batch), [TYPE]: "batch", [TTL]: ttl, ...batch });
}

export function itemToBatch(item: Item): BatchRecord {
  return omit(item, LAYOUT) as unknown as BatchRecord;
}

export function resultToItem(result: StoredResult, ttl: number): Item {
  return withoutUndefined({ ...resultKey(result.sessionId, result.symbol), [TYPE]: "result", [TTL]: ttl, ...result });
}

export function itemToResult(item: Item): StoredResult {
  return omit(item, LAYOUT) as unknown as StoredResult;
}

/** The key attributes of an item, as a cursor or ExclusiveStartKey needs them. */
export function keyOf(item: Item, attributes: readonly string[]): Item {
  return Object.fromEntries(attributes.map((name) => [name, item[name]]));
}

/**
 * Drops undefined values at every depth: optional fields arrive as `undefined`, which the document client
 * rejects unless the caller configured removeUndefinedValues, and the client is injected.
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withoutUndefined(v)]),
    ) as T;
  }
  return value;
}

function omit(item: Item, names: readonly string[]): Item {
  const copy = { ...item };
  for (const name of names) delete copy[name];
  return copy;
}
