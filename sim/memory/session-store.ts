import type {
  BatchRecord,
  BatchStatus,
  Page,
  SessionCounters,
  SessionRecord,
  SessionStatus,
  StoredResult,
} from "../../app/pipeline/model.ts";
import { NotFoundError, type SessionStore } from "../../app/pipeline/ports.ts";

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

  async createSession(session: SessionRecord): Promise<boolean> {
    if (this.#session(session.sessionId)) return false;
    this.#sessions.set(session.sessionId, {
      session: { value: clean(session), ttl: this.#ttl(), counted: new Set() },
    });
    return true;
  }

  async putBatches(batches: BatchRecord[]): Promise<void> {
    const ttl = this.#ttl();
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
    const from = cursor === undefined ? 0 : sorted.findIndex((e) => e.key < cursor);
    return page(
      from < 0 ? [] : sorted.slice(from),
      limit,
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
    const after = options.cursor === undefined ? 0 : Number(options.cursor);
    const matching = this.#liveBatches(sessionId)
      .filter((b) => b.batch > after && (options.status === undefined || b.status === options.status))
      .sort((a, b) => a.batch - b.batch);
    return page(matching, options.limit, (b) => String(b.batch), clone);
  }

  async transitionBatch(
    sessionId: string,
    batch: number,
    change: {
      from: readonly BatchStatus[];
      to: BatchStatus;
      attempt?: number;
      leaseBefore?: number;
      set?: Partial<Omit<BatchRecord, "sessionId" | "batch" | "status">>;
      remove?: readonly (keyof BatchRecord)[];
    },
  ): Promise<BatchRecord | undefined> {
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

  async putResults(results: StoredResult[]): Promise<void> {
    const ttl = this.#ttl();
    for (const result of results) this.#resultMap(result.sessionId).set(result.symbol, { value: clean(result), ttl });
  }

  async putResultsIfAbsent(results: StoredResult[]): Promise<StoredResult[]> {
    const ttl = this.#ttl();
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
    const matching = this.#liveResults(sessionId)
      .filter((r) => options.cursor === undefined || r.symbol > options.cursor)
      .filter((r) => statuses.length === 0 || statuses.includes(r.status))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    return page(matching, options.limit, (r) => r.symbol, clone);
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

  async updateSession(
    sessionId: string,
    change: {
      from?: readonly SessionStatus[];
      set?: Partial<Omit<SessionRecord, "sessionId" | "counters">>;
      remove?: readonly (keyof SessionRecord)[];
      below?: { attribute: "progressSlot" | "pumpDueAt" | "pumpLeaseUntil"; value: number; orAbove?: number };
      absent?: "finalEventAt";
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

  #ttl(): number {
    return Math.floor(this.#clock() / 1000) + this.#ttlSeconds;
  }
}

function page<T, R>(items: readonly T[], limit: number, keyOf: (item: T) => string, map: (item: T) => R): Page<R> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, not ${limit}`);
  const taken = items.slice(0, limit);
  const more = items.length > limit;
  return { items: taken.map(map), ...(more ? { cursor: keyOf(taken.at(-1) as T) } : {}) };
}

/** Drops undefined fields, as the document client's removeUndefinedValues does, and copies. */
function clean<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
