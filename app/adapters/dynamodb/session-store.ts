import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type Clock, systemClock } from "../../domain/clock.ts";
import { type BatchTransition, batchTransitions } from "../../pipeline/batch-transitions.ts";
import type {
  BatchRecord,
  BatchStatus,
  Page,
  SessionCounters,
  SessionRecord,
  SessionStatus,
  StoredResult,
} from "../../pipeline/model.ts";
import {
  type BatchEnd,
  type Keep,
  NotFoundError,
  type RequeueChange,
  type SessionStore,
} from "../../pipeline/ports.ts";
import { TABLE } from "../../wiring.ts";
import { mapConcurrent } from "./backoff.ts";
import { getAll, putAll } from "./batch-io.ts";
import { InvalidCursorError, isConditionalCheckFailed, reasonOf, StoreError } from "./errors.ts";
import { ExpressionBuilder, updateExpression } from "./expression.ts";
import {
  BATCH_PREFIX,
  batchKey,
  batchToItem,
  COUNTED,
  COUNTER_NAMES,
  GSI_PK,
  GSI_SK,
  type Item,
  itemToBatch,
  itemToResult,
  itemToSession,
  PK,
  RESULT_PREFIX,
  resultKey,
  resultToItem,
  SESSIONS_PARTITION,
  SK,
  sessionKey,
  sessionPk,
  sessionsIndexSk,
  sessionToItem,
  withoutUndefined,
} from "./items.ts";
import { decodeCursor, encodeCursor, queryPage } from "./query-page.ts";

export interface DynamoSessionStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Days every session, batch and result item lives before DynamoDB's TTL removes it. @default 7 */
  ttlDays?: number;
  /** @default systemClock */
  clock?: Clock;
}

const TABLE_KEYS = [PK, SK] as const;
const INDEX_KEYS = [PK, SK, GSI_PK, GSI_SK] as const;
/** Parallel single-item writes of putResultsIfAbsent. */
const PUT_CONCURRENCY = 16;

/**
 * The session table on DynamoDB. Only single-item conditional writes (plus BatchWriteItem and BatchGetItem), so
 * the same code runs on DynamoDB and on dynalite. A lost condition is an answer (false or undefined); any other
 * failure is a StoreError carrying the SDK error as its cause.
 */
export class DynamoSessionStore implements SessionStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlSeconds: number;
  readonly #clock: Clock;

  constructor(options: DynamoSessionStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#ttlSeconds = Math.round((options.ttlDays ?? 7) * 86_400);
    this.#clock = options.clock ?? systemClock;
  }

  async createSession(session: SessionRecord, keep: Keep = {}): Promise<boolean> {
    return this.#call("PutItem", sessionPk(session.sessionId), async () => {
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: sessionToItem(session, this.#ttl(keep)),
            ConditionExpression: "attribute_not_exists(#pk)",
            ExpressionAttributeNames: { "#pk": PK },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    });
  }

  async putBatches(batches: BatchRecord[], keep: Keep = {}): Promise<void> {
    const ttl = this.#ttl(keep);
    // Last one wins, as separate puts would; BatchWriteItem rejects a key twice in one call.
    const items = uniqueLast(batches, (b) => `${b.sessionId}/${b.batch}`).map((b) => batchToItem(b, ttl));
    await this.#call("BatchWriteItem", batches[0] && sessionPk(batches[0].sessionId), () =>
      putAll(this.#client, this.#table, items),
    );
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const item = await this.#get(sessionKey(sessionId));
    return item && itemToSession(item);
  }

  async listSessions(limit: number, cursor?: string): Promise<Page<SessionRecord>> {
    const operation = "Query(sessions)";
    const startKey =
      cursor === undefined
        ? undefined
        : this.#cursorKey(operation, cursor, INDEX_KEYS, (k) => k[GSI_PK] === SESSIONS_PARTITION);
    const expression = new ExpressionBuilder();
    const page = await this.#call(operation, SESSIONS_PARTITION, () =>
      queryPage(this.#client, {
        tableName: this.#table,
        indexName: TABLE.sessionsIndex.name,
        keyCondition: `${expression.name(GSI_PK)} = ${expression.value(SESSIONS_PARTITION)}`,
        expression,
        limit,
        startKey,
        forward: false,
        keyAttributes: INDEX_KEYS,
      }),
    );
    return toPage(page, itemToSession);
  }

  async getBatch(sessionId: string, batch: number): Promise<BatchRecord | undefined> {
    const item = await this.#get(batchKey(sessionId, batch));
    return item && itemToBatch(item);
  }

  async listBatches(
    sessionId: string,
    options: { status?: BatchStatus; limit: number; cursor?: string },
  ): Promise<Page<BatchRecord>> {
    const expression = new ExpressionBuilder();
    const filter =
      options.status === undefined ? undefined : `${expression.name("status")} = ${expression.value(options.status)}`;
    const page = await this.#querySession(sessionId, BATCH_PREFIX, expression, filter, options);
    return toPage(page, itemToBatch);
  }

  async queueBatch(sessionId: string, batch: number, attempt: number, slotStart: number) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.queue(attempt, slotStart));
  }

  async claimBatch(sessionId: string, batch: number, attempt: number, now: number, leaseUntil: number) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.claim(attempt, now, leaseUntil));
  }

  async takeOverBatch(sessionId: string, batch: number, attempt: number, now: number, leaseUntil: number) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.takeOver(attempt, now, leaseUntil));
  }

  async recordSpend(sessionId: string, batch: number, attempt: number, slotStart: number) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.recordSpend(attempt, slotStart));
  }

  async interruptBatch(sessionId: string, batch: number, attempt: number) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.interrupt(attempt));
  }

  async requeueBatch(sessionId: string, batch: number, attempt: number, change: RequeueChange) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.requeue(attempt, change));
  }

  async finishBatch(sessionId: string, batch: number, attempt: number, end: BatchEnd, from?: readonly BatchStatus[]) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.finish(attempt, end, from));
  }

  async cancelBatch(sessionId: string, batch: number, attempt: number, from: readonly BatchStatus[]) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.cancel(attempt, from));
  }

  async resetLostBatch(sessionId: string, batch: number, attempt: number) {
    return this.#transitionBatch(sessionId, batch, batchTransitions.resetLost(attempt));
  }

  async #transitionBatch(sessionId: string, batch: number, change: BatchTransition): Promise<BatchRecord | undefined> {
    if (change.from.length === 0) throw new RangeError("transitionBatch needs at least one `from` status");
    const e = new ExpressionBuilder();
    const status = e.name("status");
    const set = [`${status} = ${e.value(change.to)}`];
    for (const [name, value] of Object.entries(change.set ?? {})) {
      if (value === undefined) continue;
      if (name === "sessionId" || name === "batch" || name === "status") throw new RangeError(`cannot set ${name}`);
      set.push(`${e.name(name)} = ${e.value(withoutUndefined(value))}`);
    }
    const conditions = [
      `attribute_exists(${e.name(PK)})`,
      `${status} IN (${change.from.map((s) => e.value(s)).join(", ")})`,
    ];
    if (change.attempt !== undefined) conditions.push(`${e.name("attempt")} = ${e.value(change.attempt)}`);
    if (change.leaseBefore !== undefined) {
      const lease = e.name("leaseUntil");
      conditions.push(`(attribute_not_exists(${lease}) OR ${lease} < ${e.value(change.leaseBefore)})`);
    }
    const item = await this.#update(batchKey(sessionId, batch), e, {
      update: updateExpression({ set, remove: (change.remove ?? []).map((name) => e.name(name)) }),
      condition: conditions.join(" AND "),
    });
    return item && itemToBatch(item);
  }

  async putResults(results: StoredResult[], keep: Keep = {}): Promise<void> {
    const ttl = this.#ttl(keep);
    const items = uniqueLast(results, (r) => `${r.sessionId}/${r.symbol}`).map((r) => resultToItem(r, ttl));
    await this.#call("BatchWriteItem", results[0] && sessionPk(results[0].sessionId), () =>
      putAll(this.#client, this.#table, items),
    );
  }

  async putResultsIfAbsent(results: StoredResult[], keep: Keep = {}): Promise<StoredResult[]> {
    const ttl = this.#ttl(keep);
    const candidates = unique(results, (r) => `${r.sessionId}/${r.symbol}`);
    const written = await mapConcurrent(candidates, PUT_CONCURRENCY, (result) =>
      this.#call("PutItem", `${sessionPk(result.sessionId)} / ${result.symbol}`, async () => {
        try {
          await this.#client.send(
            new PutCommand({
              TableName: this.#table,
              Item: resultToItem(result, ttl),
              ConditionExpression: "attribute_not_exists(#pk)",
              ExpressionAttributeNames: { "#pk": PK },
            }),
          );
          return true;
        } catch (error) {
          if (isConditionalCheckFailed(error)) return false;
          throw error;
        }
      }),
    );
    return candidates.filter((_, i) => written[i]);
  }

  async getResults(sessionId: string, symbols: readonly string[]): Promise<StoredResult[]> {
    const wanted = [...new Set(symbols)];
    if (wanted.length === 0) return [];
    const items = await this.#call("BatchGetItem", sessionPk(sessionId), () =>
      getAll(
        this.#client,
        this.#table,
        wanted.map((symbol) => resultKey(sessionId, symbol)),
      ),
    );
    const bySymbol = new Map(items.map((item) => [String(item.symbol), itemToResult(item)]));
    return wanted.flatMap((symbol) => bySymbol.get(symbol) ?? []);
  }

  async listResults(
    sessionId: string,
    options: { statuses?: readonly StoredResult["status"][]; limit: number; cursor?: string },
  ): Promise<Page<StoredResult>> {
    const expression = new ExpressionBuilder();
    const statuses = options.statuses ?? [];
    const filter =
      statuses.length === 0
        ? undefined
        : `${expression.name("status")} IN (${statuses.map((s) => expression.value(s)).join(", ")})`;
    const page = await this.#querySession(sessionId, RESULT_PREFIX, expression, filter, options);
    return toPage(page, itemToResult);
  }

  async countBatch(
    sessionId: string,
    batch: number,
    delta: Partial<SessionCounters>,
  ): Promise<SessionRecord | undefined> {
    const e = new ExpressionBuilder();
    const counted = e.name(COUNTED);
    const add = [`${counted} ${e.value(new Set([batch]))}`, ...counterAdds(e, delta)];
    const item = await this.#update(sessionKey(sessionId), e, {
      update: updateExpression({ add }),
      condition: `attribute_exists(${e.name(PK)}) AND NOT contains(${counted}, ${e.value(batch)})`,
    });
    return item && itemToSession(item);
  }

  async addToCounters(sessionId: string, delta: Partial<SessionCounters>): Promise<void> {
    const e = new ExpressionBuilder();
    const add = counterAdds(e, delta);
    if (add.length === 0) return;
    const item = await this.#update(sessionKey(sessionId), e, {
      update: updateExpression({ add }),
      condition: `attribute_exists(${e.name(PK)})`,
    });
    if (item === undefined) throw new NotFoundError(`session ${sessionId} not found`);
  }

  acquirePumpLease(sessionId: string, now: number, until: number) {
    return this.#updateSession(sessionId, {
      from: ["running"],
      set: { pumpLeaseUntil: until },
      below: { attribute: "pumpLeaseUntil", value: now },
    });
  }

  async releasePumpLease(sessionId: string, until: number): Promise<void> {
    await this.#updateSession(sessionId, {
      remove: ["pumpLeaseUntil"],
      equals: { attribute: "pumpLeaseUntil", value: until },
    });
  }

  async notePumpDue(sessionId: string, at: number, now: number): Promise<void> {
    await this.#updateSession(sessionId, {
      from: ["running"],
      set: { pumpDueAt: at },
      below: { attribute: "pumpDueAt", value: now, orAbove: at },
    });
  }

  async clearPumpDue(sessionId: string, at: number): Promise<void> {
    await this.#updateSession(sessionId, { remove: ["pumpDueAt"], equals: { attribute: "pumpDueAt", value: at } });
  }

  claimProgressSlot(sessionId: string, slot: number) {
    return this.#updateSession(sessionId, {
      from: ["running"],
      set: { progressSlot: slot },
      below: { attribute: "progressSlot", value: slot },
    });
  }

  pauseSession(sessionId: string, until: string) {
    return this.#updateSession(sessionId, { from: ["running"], set: { pausedUntil: until } });
  }

  resumeSession(sessionId: string) {
    return this.#updateSession(sessionId, { from: ["running"], remove: ["pausedUntil"] });
  }

  finishSession(
    sessionId: string,
    end: { status: Exclude<SessionStatus, "running">; finishedAt: string; error?: string; cancelledBy?: string },
  ) {
    return this.#updateSession(sessionId, { from: ["running"], set: end, remove: ["pausedUntil"] });
  }

  claimFinalEvent(sessionId: string, at: string, staleBefore: string) {
    return this.#updateSession(sessionId, {
      from: ["completed", "failed", "cancelled"],
      set: { finalEventAt: at },
      absent: "finalEventSentAt",
      claimBefore: staleBefore,
    });
  }

  async confirmFinalEvent(sessionId: string, at: string, sentAt: string): Promise<void> {
    await this.#updateSession(sessionId, {
      set: { finalEventSentAt: sentAt },
      equals: { attribute: "finalEventAt", value: at },
    });
  }

  async releaseFinalEvent(sessionId: string, at: string): Promise<void> {
    await this.#updateSession(sessionId, {
      remove: ["finalEventAt"],
      equals: { attribute: "finalEventAt", value: at },
    });
  }

  async #updateSession(
    sessionId: string,
    change: {
      from?: readonly SessionStatus[];
      set?: Partial<Omit<SessionRecord, "sessionId" | "counters">>;
      remove?: readonly (keyof SessionRecord)[];
      below?: { attribute: "progressSlot" | "pumpDueAt" | "pumpLeaseUntil"; value: number; orAbove?: number };
      absent?: "finalEventAt" | "finalEventSentAt";
      /** Only if finalEventAt is absent or earlier than this (a claim that ran out). */
      claimBefore?: string;
      /** Only if this attribute holds exactly this value (a token: a lease, a claim). */
      equals?: { attribute: "pumpLeaseUntil" | "pumpDueAt" | "finalEventAt"; value: number | string };
    },
  ): Promise<SessionRecord | undefined> {
    const e = new ExpressionBuilder();
    const set: string[] = [];
    for (const [name, value] of Object.entries(change.set ?? {})) {
      if (value === undefined) continue;
      if (name === "sessionId" || name === "counters") throw new RangeError(`cannot set ${name}`);
      set.push(`${e.name(name)} = ${e.value(withoutUndefined(value))}`);
      if (name === "createdAt") set.push(`${e.name(GSI_SK)} = ${e.value(sessionsIndexSk(String(value), sessionId))}`);
    }
    const remove = (change.remove ?? []).map((name) => {
      if (name === "sessionId" || name === "counters" || name === "createdAt")
        throw new RangeError(`cannot remove ${name}`);
      return e.name(name);
    });
    // UpdateItem needs an action; with only conditions to check, rewrite the item's type marker to itself.
    if (set.length === 0 && remove.length === 0) set.push(`${e.name("type")} = ${e.value("session")}`);
    const conditions = [`attribute_exists(${e.name(PK)})`];
    if (change.from !== undefined) {
      if (change.from.length === 0) return undefined;
      conditions.push(`${e.name("status")} IN (${change.from.map((s) => e.value(s)).join(", ")})`);
    }
    if (change.below !== undefined) {
      const name = e.name(change.below.attribute);
      const above = change.below.orAbove === undefined ? "" : ` OR ${name} > ${e.value(change.below.orAbove)}`;
      conditions.push(`(attribute_not_exists(${name}) OR ${name} < ${e.value(change.below.value)}${above})`);
    }
    if (change.absent !== undefined) conditions.push(`attribute_not_exists(${e.name(change.absent)})`);
    if (change.claimBefore !== undefined) {
      const claim = e.name("finalEventAt");
      conditions.push(`(attribute_not_exists(${claim}) OR ${claim} < ${e.value(change.claimBefore)})`);
    }
    if (change.equals !== undefined)
      conditions.push(`${e.name(change.equals.attribute)} = ${e.value(change.equals.value)}`);
    const item = await this.#update(sessionKey(sessionId), e, {
      update: updateExpression({ set, remove }),
      condition: conditions.join(" AND "),
    });
    return item && itemToSession(item);
  }

  async #querySession(
    sessionId: string,
    prefix: string,
    expression: ExpressionBuilder,
    filter: string | undefined,
    options: { limit: number; cursor?: string },
  ): Promise<{ items: Item[]; lastKey?: Item }> {
    const pk = sessionPk(sessionId);
    const operation = `Query(${prefix})`;
    const startKey =
      options.cursor === undefined
        ? undefined
        : this.#cursorKey(
            operation,
            options.cursor,
            TABLE_KEYS,
            (k) => k[PK] === pk && String(k[SK]).startsWith(prefix),
          );
    const keyCondition = `${expression.name(PK)} = ${expression.value(pk)} AND begins_with(${expression.name(SK)}, ${expression.value(prefix)})`;
    return this.#call(operation, pk, () =>
      queryPage(this.#client, {
        tableName: this.#table,
        keyCondition,
        filter,
        expression,
        limit: options.limit,
        startKey,
        keyAttributes: TABLE_KEYS,
      }),
    );
  }

  async #get(key: Item): Promise<Item | undefined> {
    const out = await this.#call("GetItem", describeKey(key), () =>
      this.#client.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true })),
    );
    return out.Item;
  }

  /** An UpdateItem returning ALL_NEW; undefined when the condition does not hold. */
  async #update(
    key: Item,
    expression: ExpressionBuilder,
    request: { update: string; condition: string },
  ): Promise<Item | undefined> {
    return this.#call("UpdateItem", describeKey(key), async () => {
      try {
        const out = await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: request.update,
            ConditionExpression: request.condition,
            ...expression.params(),
            ReturnValues: "ALL_NEW",
          }),
        );
        return out.Attributes;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return undefined;
        throw error;
      }
    });
  }

  #cursorKey(operation: string, cursor: string, attributes: readonly string[], check: (key: Item) => boolean): Item {
    const key = decodeCursor(cursor, attributes, check);
    if (key === undefined) throw new InvalidCursorError(operation, this.#table, cursor.slice(0, 80));
    return key;
  }

  async #call<T>(operation: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof StoreError || error instanceof RangeError) throw error;
      throw new StoreError(operation, this.#table, key, reasonOf(error), { cause: error });
    }
  }

  /** The retention beyond the later of now and `keepUntil` (the session's bound), so no item dies before its session. */
  #ttl(keep: Keep = {}): number {
    return Math.floor(Math.max(this.#clock(), keep.keepUntil ?? 0) / 1000) + this.#ttlSeconds;
  }
}

function counterAdds(e: ExpressionBuilder, delta: Partial<SessionCounters>): string[] {
  return COUNTER_NAMES.flatMap((name) => {
    const value = delta[name];
    return value === undefined || value === 0 ? [] : [`${e.name(name)} ${e.value(value)}`];
  });
}

function toPage<T>(page: { items: Item[]; lastKey?: Item }, map: (item: Item) => T): Page<T> {
  return {
    items: page.items.map(map),
    ...(page.lastKey === undefined ? {} : { cursor: encodeCursor(page.lastKey) }),
  };
}

function describeKey(key: Item): string {
  return `${String(key[PK])} / ${String(key[SK])}`;
}

function unique<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function uniqueLast<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [keyOf(item), item])).values()];
}
