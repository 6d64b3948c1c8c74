import { InvalidCursorError } from "../../app/adapters/dynamodb/errors.ts";
import { type BatchTransition, batchTransitions } from "../../app/pipeline/batch-transitions.ts";
import type {
  BatchRecord,
  BatchStatus,
  Page,
  SessionCounters,
  SessionRecord,
  SessionStatus,
  StoredResult,
} from "../../app/pipeline/model.ts";
import {
  type BatchEnd,
  type Keep,
  NotFoundError,
  type RequeueChange,
  type SessionStore,
} from "../../app/pipeline/ports.ts";

export interface MemorySessionStoreOptions {
  /** True time (ms), for item expiry. */
  clock: () => number;
  /** Days an item lives after it is created (an update leaves its TTL as it was). @default 7 */
  ttlDays?: number;
}

interface Stored<T> {
  value: T;
  /** Epoch seconds, as DynamoDB's TTL attribute. */
  ttl: number;
}

interface SessionEntry {
  session: Stored<SessionRecord> & { counted: Set<number> };
}

/**
 * The session table in memory, with DynamoDB's semantics as the pipeline relies on them: single-item conditional
 * writes that either apply whole or not at all, strongly consistent reads, pages in key order, and items that
 * vanish once their TTL has passed (at the worst moment: the instant it passes). Every read returns a copy.
 */
export class MemorySessionStore implements SessionStore {
  readonly #clock: () => number;
  readonly #ttlSeconds: number;
  readonly #sessions = new Map<string, SessionEntry>();
  readonly #batches = new Map<string, Map<number, Stored<BatchRecord>>>();
  readonly #results = new Map<string, Map<string, Stored<StoredResult>>>();

  constructor(options: MemorySessionStoreOptions) {
    this.#clock = options.clock;
    this.#ttlSeconds = Math.round((options.ttlDays ?? 7) * 86_400);
  }

  async createSession(session: SessionRecord, keep: Keep = {}): Promise<boolean> {
    if (this.#session(session.sessionId)) return false;
    this.#sessions.set(session.sessionId, {
      session: { value: clean(session), ttl: this.#ttl(keep), counted: new Set() },
    });
    return true;
  }

  async putBatches(batches: BatchRecord[], keep: Keep = {}): Promise<void> {
    const ttl = this.#ttl(keep);
    for (const batch of batches) this.#batchMap(batch.sessionId).set(batch.batch, { value: clean(batch), ttl });
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const entry = this.#session(sessionId);
    return entry && clone(entry.session.value);
  }

  async listSessions(limit: number, cursor?: string): Promise<Page<SessionRecord>> {
    const sorted = [...this.#sessions.keys()]
      .flatMap((id) => {
        const entry = this.#session(id);
        return entry ? [entry.session.value] : [];
      })
      .map((s) => ({ key: `${s.createdAt}#${s.sessionId}`, s }))
      .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
    const after = cursor === undefined ? undefined : decodeCursor(cursor, "sessions");
    const from = after === undefined ? 0 : sorted.findIndex((e) => e.key < after);
    return page(
      from < 0 ? [] : sorted.slice(from),
      limit,
      "sessions",
      (e) => e.key,
      (e) => clone(e.s),
    );
  }

  async getBatch(sessionId: string, batch: number): Promise<BatchRecord | undefined> {
    const stored = this.#batch(sessionId, batch);
    return stored && clone(stored.value);
  }

  async listBatches(
    sessionId: string,
    options: { status?: BatchStatus; limit: number; cursor?: string },
  ): Promise<Page<BatchRecord>> {
    const scope = `batches:${sessionId}`;
    const after = options.cursor === undefined ? Number.NEGATIVE_INFINITY : Number(decodeCursor(options.cursor, scope));
    const matching = this.#liveBatches(sessionId)
      .filter((b) => b.batch > after && (options.status === undefined || b.status === options.status))
      .sort((a, b) => a.batch - b.batch);
    return page(matching, options.limit, scope, (b) => String(b.batch), clone);
  }

  async queueBatch(sessionId: string, batch: number, attempt: number, slotStart: number) {
    return this.#transition(sessionId, batch, batchTransitions.queue(attempt, slotStart));
  }

  async claimBatch(sessionId: string, batch: number, attempt: number, now: number, leaseUntil: number) {
    return this.#transition(sessionId, batch, batchTransitions.claim(attempt, now, leaseUntil));
  }

  async takeOverBatch(sessionId: string, batch: number, attempt: number, now: number, leaseUntil: number) {
    return this.#transition(sessionId, batch, batchTransitions.takeOver(attempt, now, leaseUntil));
  }

  async recordSpend(sessionId: string, batch: number, attempt: number, slotStart: number) {
    return this.#transition(sessionId, batch, batchTransitions.recordSpend(attempt, slotStart));
  }

  async interruptBatch(sessionId: string, batch: number, attempt: number) {
    return this.#transition(sessionId, batch, batchTransitions.interrupt(attempt));
  }

  async requeueBatch(sessionId: string, batch: number, attempt: number, change: RequeueChange) {
    return this.#transition(sessionId, batch, batchTransitions.requeue(attempt, change));
  }

  async finishBatch(sessionId: string, batch: number, attempt: number, end: BatchEnd, from?: readonly BatchStatus[]) {
    return this.#transition(sessionId, batch, batchTransitions.finish(attempt, end, from));
  }

  async cancelBatch(sessionId: string, batch: number, attempt: number, from: readonly BatchStatus[]) {
    return this.#transition(sessionId, batch, batchTransitions.cancel(attempt, from));
  }

  async resetLostBatch(sessionId: string, batch: number, attempt: number) {
    return this.#transition(sessionId, batch, batchTransitions.resetLost(attempt));
  }

  async #transition(sessionId: string, batch: number, change: BatchTransition): Promise<BatchRecord | undefined> {
    if (change.from.length === 0) throw new RangeError("transitionBatch needs at least one `from` status");
    for (const name of Object.keys(change.set ?? {}))
      if (name === "sessionId" || name === "batch" || name === "status") throw new RangeError(`cannot set ${name}`);
    const stored = this.#batch(sessionId, batch);
    if (!stored) return undefined;
    const current = stored.value;
    if (!change.from.includes(current.status)) return undefined;
    if (change.attempt !== undefined && current.attempt !== change.attempt) return undefined;
    if (
      change.leaseBefore !== undefined &&
      current.leaseUntil !== undefined &&
      !(current.leaseUntil < change.leaseBefore)
    )
      return undefined;
    const next: BatchRecord = { ...current, ...clean(change.set ?? {}), status: change.to };
    for (const name of change.remove ?? []) delete next[name];
    stored.value = next;
    return clone(next);
  }

  async putResults(results: StoredResult[], keep: Keep = {}): Promise<void> {
    const ttl = this.#ttl(keep);
    for (const result of results) this.#resultMap(result.sessionId).set(result.symbol, { value: clean(result), ttl });
  }

  async putResultsIfAbsent(results: StoredResult[], keep: Keep = {}): Promise<StoredResult[]> {
    const ttl = this.#ttl(keep);
    const written: StoredResult[] = [];
    for (const result of results) {
      if (this.#result(result.sessionId, result.symbol)) continue;
      this.#resultMap(result.sessionId).set(result.symbol, { value: clean(result), ttl });
      written.push(result);
    }
    return written;
  }

  async getResults(sessionId: string, symbols: readonly string[]): Promise<StoredResult[]> {
    return [...new Set(symbols)].flatMap((symbol) => {
      const stored = this.#result(sessionId, symbol);
      return stored ? [clone(stored.value)] : [];
    });
  }

  async listResults(
    sessionId: string,
    options: { statuses?: readonly StoredResult["status"][]; limit: number; cursor?: string },
  ): Promise<Page<StoredResult>> {
    const statuses = options.statuses ?? [];
    const scope = `results:${sessionId}`;
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, scope);
    const matching = this.#liveResults(sessionId)
      .filter((r) => after === undefined || r.symbol > after)
      .filter((r) => statuses.length === 0 || statuses.includes(r.status))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    return page(matching, options.limit, scope, (r) => r.symbol, clone);
  }

  async countBatch(
    sessionId: string,
    batch: number,
    delta: Partial<SessionCounters>,
  ): Promise<SessionRecord | undefined> {
    const entry = this.#session(sessionId);
    if (!entry || entry.session.counted.has(batch)) return undefined;
    entry.session.counted.add(batch);
    this.#add(entry, delta);
    return clone(entry.session.value);
  }

  async addToCounters(sessionId: string, delta: Partial<SessionCounters>): Promise<void> {
    if (!Object.values(delta).some((v) => v !== undefined && v !== 0)) return;
    const entry = this.#session(sessionId);
    if (!entry) throw new NotFoundError(`session ${sessionId} not found`);
    this.#add(entry, delta);
  }

  async acquirePumpLease(sessionId: string, now: number, until: number) {
    return this.#update(sessionId, {
      from: ["running"],
      set: { pumpLeaseUntil: until },
      below: { attribute: "pumpLeaseUntil", value: now },
    });
  }

  async releasePumpLease(sessionId: string, until: number): Promise<void> {
    await this.#update(sessionId, {
      remove: ["pumpLeaseUntil"],
      equals: { attribute: "pumpLeaseUntil", value: until },
    });
  }

  async notePumpDue(sessionId: string, at: number, now: number): Promise<void> {
    await this.#update(sessionId, {
      from: ["running"],
      set: { pumpDueAt: at },
      below: { attribute: "pumpDueAt", value: now, orAbove: at },
    });
  }

  async clearPumpDue(sessionId: string, at: number): Promise<void> {
    await this.#update(sessionId, { remove: ["pumpDueAt"], equals: { attribute: "pumpDueAt", value: at } });
  }

  async claimProgressSlot(sessionId: string, slot: number) {
    return this.#update(sessionId, {
      from: ["running"],
      set: { progressSlot: slot },
      below: { attribute: "progressSlot", value: slot },
    });
  }

  async pauseSession(sessionId: string, until: string) {
    return this.#update(sessionId, { from: ["running"], set: { pausedUntil: until } });
  }

  async resumeSession(sessionId: string) {
    return this.#update(sessionId, { from: ["running"], remove: ["pausedUntil"] });
  }

  async finishSession(
    sessionId: string,
    end: { status: Exclude<SessionStatus, "running">; finishedAt: string; error?: string; cancelledBy?: string },
  ) {
    return this.#update(sessionId, { from: ["running"], set: end, remove: ["pausedUntil"] });
  }

  async claimFinalEvent(sessionId: string, at: string, staleBefore: string) {
    return this.#update(sessionId, {
      from: ["completed", "failed", "cancelled"],
      set: { finalEventAt: at },
      absent: "finalEventSentAt",
      claimBefore: staleBefore,
    });
  }

  async confirmFinalEvent(sessionId: string, at: string, sentAt: string): Promise<void> {
    await this.#update(sessionId, {
      set: { finalEventSentAt: sentAt },
      equals: { attribute: "finalEventAt", value: at },
    });
  }

  async releaseFinalEvent(sessionId: string, at: string): Promise<void> {
    await this.#update(sessionId, { remove: ["finalEventAt"], equals: { attribute: "finalEventAt", value: at } });
  }

  async #update(
    sessionId: string,
    change: {
      from?: readonly SessionStatus[];
      set?: Partial<Omit<SessionRecord, "sessionId" | "counters">>;
      remove?: readonly (keyof SessionRecord)[];
      below?: { attribute: "progressSlot" | "pumpDueAt" | "pumpLeaseUntil"; value: number; orAbove?: number };
      absent?: "finalEventAt" | "finalEventSentAt";
      /** Only if finalEventAt is absent or earlier than this (a claim that ran out). */
      claimBefore?: string;
      equals?: { attribute: "pumpLeaseUntil" | "pumpDueAt" | "finalEventAt"; value: number | string };
    },
  ): Promise<SessionRecord | undefined> {
    for (const name of Object.keys(change.set ?? {}))
      if (name === "sessionId" || name === "counters") throw new RangeError(`cannot set ${name}`);
    for (const name of change.remove ?? [])
      if (name === "sessionId" || name === "counters" || name === "createdAt")
        throw new RangeError(`cannot remove ${name}`);
    const entry = this.#session(sessionId);
    if (!entry) return undefined;
    const current = entry.session.value;
    if (change.from !== undefined && !change.from.includes(current.status)) return undefined;
    if (change.below !== undefined) {
      const value = current[change.below.attribute];
      const { orAbove } = change.below;
      if (!(value === undefined || value < change.below.value || (orAbove !== undefined && value > orAbove)))
        return undefined;
    }
    if (change.absent !== undefined && current[change.absent] !== undefined) return undefined;
    if (
      change.claimBefore !== undefined &&
      current.finalEventAt !== undefined &&
      !(current.finalEventAt < change.claimBefore)
    )
      return undefined;
    if (change.equals !== undefined && current[change.equals.attribute] !== change.equals.value) return undefined;
    const next: SessionRecord = { ...current, ...clean(change.set ?? {}) };
    for (const name of change.remove ?? []) delete next[name];
    entry.session.value = next;
    return clone(next);
  }

  /**
   * Every session ever created, expired ones included, with the TTL (epoch seconds) of each of its items: what
   * the simulation's invariants read. Expired items read as absent through the port.
   */
  everything(): {
    session: SessionRecord;
    sessionTtl: number;
    batches: Stored<BatchRecord>[];
    results: Stored<StoredResult>[];
  }[] {
    return [...this.#sessions.entries()].map(([id, entry]) => ({
      session: clone(entry.session.value),
      sessionTtl: entry.session.ttl,
      batches: [...(this.#batches.get(id)?.values() ?? [])],
      results: [...(this.#results.get(id)?.values() ?? [])],
    }));
  }

  #add(entry: SessionEntry, delta: Partial<SessionCounters>): void {
    const counters = { ...entry.session.value.counters };
    for (const [name, value] of Object.entries(delta) as [keyof SessionCounters, number | undefined][])
      if (value !== undefined) counters[name] += value;
    entry.session.value = { ...entry.session.value, counters };
  }

  #session(sessionId: string): SessionEntry | undefined {
    const entry = this.#sessions.get(sessionId);
    return entry && entry.session.ttl * 1000 > this.#clock() ? entry : undefined;
  }

  #batchMap(sessionId: string): Map<number, Stored<BatchRecord>> {
    let map = this.#batches.get(sessionId);
    if (!map) {
      map = new Map();
      this.#batches.set(sessionId, map);
    }
    return map;
  }

  #resultMap(sessionId: string): Map<string, Stored<StoredResult>> {
    let map = this.#results.get(sessionId);
    if (!map) {
      map = new Map();
      this.#results.set(sessionId, map);
    }
    return map;
  }

  #batch(sessionId: string, batch: number): Stored<BatchRecord> | undefined {
    const stored = this.#batches.get(sessionId)?.get(batch);
    return stored && stored.ttl * 1000 > this.#clock() ? stored : undefined;
  }

  #result(sessionId: string, symbol: string): Stored<StoredResult> | undefined {
    const stored = this.#results.get(sessionId)?.get(symbol);
    return stored && stored.ttl * 1000 > this.#clock() ? stored : undefined;
  }

  #liveBatches(sessionId: string): BatchRecord[] {
    const now = this.#clock();
    return [...(this.#batches.get(sessionId)?.values() ?? [])].filter((s) => s.ttl * 1000 > now).map((s) => s.value);
  }

  #liveResults(sessionId: string): StoredResult[] {
    const now = this.#clock();
    return [...(this.#results.get(sessionId)?.values() ?? [])].filter((s) => s.ttl * 1000 > now).map((s) => s.value);
  }

  #ttl(keep: Keep = {}): number {
    return Math.floor(Math.max(this.#clock(), keep.keepUntil ?? 0) / 1000) + this.#ttlSeconds;
  }
}

function page<T, R>(
  items: readonly T[],
  limit: number,
  scope: string,
  keyOf: (item: T) => string,
  map: (item: T) => R,
): Page<R> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, not ${limit}`);
  const taken = items.slice(0, limit);
  if (items.length <= limit) return { items: taken.map(map) };
  const cursor = Buffer.from(JSON.stringify({ scope, key: keyOf(taken.at(-1) as T) })).toString("base64url");
  return { items: taken.map(map), cursor };
}

/** The key a cursor of this listing holds; a cursor of another listing, or no cursor at all, is refused. */
function decodeCursor(cursor: string, scope: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { scope?: unknown; key?: unknown };
    if (parsed.scope === scope && typeof parsed.key === "string") return parsed.key;
  } catch {
    // not a cursor this store issued
  }
  throw new InvalidCursorError("Query", "memory", cursor.slice(0, 80));
}

/** Drops undefined fields, as the document client's removeUndefinedValues does, and copies. */
function clean<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
