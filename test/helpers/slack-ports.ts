/** In-memory fakes of the Slack app's ports: the session operations, the starter, the daily schedule, the jobs. */
import type { Page, SessionRecord, StoredResult } from "../../app/pipeline/model.ts";
import { OperationError, type SessionStatusView } from "../../app/pipeline/operations.ts";
import type { StartInput } from "../../app/pipeline/start-session.ts";
import { type SlackJob, type SlackJobQueue, slackJobEvent } from "../../app/slack/jobs.ts";
import type {
  DailySchedule,
  DailyScheduleInfo,
  Mute,
  SessionOperations,
  SessionResults,
  SessionStarter,
  SlackState,
  StartOutcome,
  SummaryRecord,
  UniverseSnapshot,
} from "../../app/slack/ports.ts";
import { sessionInProgress } from "./session-records.ts";

/** Records starts and answers as the coordinator would: a new session, unless told to reject or fail. */
export class RecordingStarter implements SessionStarter {
  readonly inputs: StartInput[] = [];
  failWith: Error | undefined;
  /** The coordinator's answer; by default a new session `s-started-<n>`. */
  answer: StartOutcome | undefined;
  async start(input: StartInput): Promise<StartOutcome> {
    if (this.failWith) throw this.failWith;
    this.inputs.push(input);
    return (
      this.answer ?? {
        status: "initiated",
        sessionId: `s-started-${this.inputs.length}`,
        totalSymbols: input.symbols?.length ?? 200,
        estimatedDurationMinutes: 3,
      }
    );
  }
}

/**
 * The Slack function's hand-off in process: a job runs on a later turn of the event loop, as an asynchronous
 * invocation would, after going through JSON as a Lambda event does. `idle()` waits for every job.
 */
export class InProcessSlackJobs implements SlackJobQueue {
  readonly jobs: SlackJob[] = [];
  failWith: Error | undefined;
  #deliver: ((event: unknown) => Promise<unknown>) | undefined;
  readonly #running = new Set<Promise<unknown>>();

  /** Where jobs go: the Slack handler, as Lambda would invoke it. */
  deliverTo(deliver: (event: unknown) => Promise<unknown>): void {
    this.#deliver = deliver;
  }

  async handOff(job: SlackJob): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.jobs.push(job);
    const event: unknown = JSON.parse(JSON.stringify(slackJobEvent(job)));
    const run = new Promise((resolve) => setImmediate(resolve)).then(() => this.#deliver?.(event));
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}

/** The Slack-facing operations over an in-memory list of sessions. */
export class FakeOperations implements SessionOperations {
  readonly sessions: SessionRecord[];
  readonly cancels: { sessionId: string; by: string }[] = [];
  failStatusWith: Error | undefined;

  constructor(sessions: SessionRecord[] = [sessionInProgress()]) {
    this.sessions = sessions;
  }

  async status(sessionId = "latest"): Promise<SessionStatusView> {
    if (this.failStatusWith) throw this.failStatusWith;
    const session = this.#find(sessionId);
    const finished = session.counters.batchesDone + session.counters.batchesFailed;
    return {
      session,
      batchesFinished: finished,
      progressPct: Math.round((finished / session.totalBatches) * 1000) / 10,
      etaMs: session.status === "running" ? 12 * 60_000 : null,
      failedSymbols: [
        { symbol: "BRK.B", status: "fail", issue: "price_mismatch: close differs by 3.2% on 2026-01-14" },
        { symbol: "XYZ", status: "error", issue: "provider: symbol not found" },
      ],
    };
  }

  async list(limit = 10): Promise<Page<SessionRecord>> {
    return { items: this.sessions.slice(0, limit) };
  }

  async cancel(sessionId: string, by: string): Promise<SessionRecord> {
    const session = this.#find(sessionId);
    if (session.status !== "running")
      throw new OperationError(`session ${session.sessionId} is already ${session.status}`);
    this.cancels.push({ sessionId: session.sessionId, by });
    session.status = "cancelled";
    session.cancelledBy = by;
    return { ...session };
  }

  #find(sessionId: string): SessionRecord {
    const session = sessionId === "latest" ? this.sessions[0] : this.sessions.find((s) => s.sessionId === sessionId);
    if (!session) throw new OperationError(`no session ${sessionId}`);
    return session;
  }
}

/** The daily schedule in memory. */
export class MemorySchedule implements DailySchedule {
  info: DailyScheduleInfo = {
    name: "dq-test-daily",
    state: "ENABLED",
    expression: "cron(30 4 ? * TUE-SAT *)",
    timezone: "UTC",
    time: "04:30",
    days: "TUE-SAT",
  };
  async show() {
    return { ...this.info };
  }
  async pause() {
    this.info = { ...this.info, state: "DISABLED" };
    return { ...this.info };
  }
  async resume() {
    this.info = { ...this.info, state: "ENABLED" };
    return { ...this.info };
  }
  async set(time: { hour: number; minute: number; timezone?: string }) {
    const hh = String(time.hour).padStart(2, "0");
    const mm = String(time.minute).padStart(2, "0");
    this.info = {
      ...this.info,
      expression: `cron(${time.minute} ${time.hour} ? * TUE-SAT *)`,
      time: `${hh}:${mm}`,
      timezone: time.timezone ?? this.info.timezone,
    };
    return { ...this.info };
  }
}

/** The notifier's view of the store in memory: sessions, and their results in symbol order, paged. */
export class MemoryResults implements SessionResults {
  readonly sessions = new Map<string, SessionRecord>();
  readonly results: StoredResult[] = [];
  /** listResults calls, to show the results are paged from the store. */
  pages = 0;

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const session = this.sessions.get(sessionId);
    return session ? structuredClone(session) : undefined;
  }

  async listResults(
    sessionId: string,
    options: { statuses?: readonly StoredResult["status"][]; limit: number; cursor?: string },
  ): Promise<Page<StoredResult>> {
    this.pages++;
    const all = this.results
      .filter((r) => r.sessionId === sessionId && (!options.statuses || options.statuses.includes(r.status)))
      .sort((a, b) => a.symbol.localeCompare(b.symbol));
    const start = options.cursor ? Number(options.cursor) : 0;
    const items = all.slice(start, start + options.limit);
    const next = start + items.length;
    return { items: structuredClone(items), ...(next < all.length ? { cursor: String(next) } : {}) };
  }
}

/** SlackState in memory, with the same answers as the DynamoDB adapter (a contract test holds them together). */
export class MemorySlackState implements SlackState {
  readonly mutes = new Map<string, Mute>();
  readonly snapshots = new Map<string, { current: UniverseSnapshot; previous?: UniverseSnapshot }>();
  readonly summaries = new Map<string, SummaryRecord>();

  async mute(mute: Mute): Promise<void> {
    this.mutes.set(mute.symbol, { ...mute });
  }
  async unmute(symbol: string, now: number): Promise<boolean> {
    const mute = this.mutes.get(symbol);
    if (!mute || Date.parse(mute.until) <= now) return false;
    this.mutes.set(symbol, { ...mute, until: new Date(now).toISOString() });
    return true;
  }
  async activeMutes(now: number): Promise<Mute[]> {
    return [...this.mutes.values()]
      .filter((m) => Date.parse(m.until) > now)
      .sort((a, b) => a.symbol.localeCompare(b.symbol))
      .map((m) => ({ ...m }));
  }
  async previousSnapshot(universe: string, sessionId: string): Promise<UniverseSnapshot | undefined> {
    const item = this.snapshots.get(universe);
    if (!item) return undefined;
    return structuredClone(item.current.sessionId === sessionId ? item.previous : item.current);
  }
  async recordSnapshot(universe: string, snapshot: UniverseSnapshot): Promise<void> {
    const item = this.snapshots.get(universe);
    if (item && (item.current.sessionId === snapshot.sessionId || item.previous?.sessionId === snapshot.sessionId))
      return;
    if (item && item.current.finishedAt > snapshot.finishedAt) return;
    this.snapshots.set(universe, {
      current: structuredClone(snapshot),
      ...(item ? { previous: item.current } : {}),
    });
  }
  async claimSummary(sessionId: string, now: number, staleMs: number): Promise<SummaryRecord | undefined> {
    const existing = this.summaries.get(sessionId);
    const claimedAt = new Date(now).toISOString();
    if (existing) {
      if (existing.done || Date.parse(existing.claimedAt) > now - staleMs) return undefined;
      this.summaries.set(sessionId, { ...existing, claimedAt });
      return { ...existing, claimedAt };
    }
    const record: SummaryRecord = { sessionId, claimedAt, threadPosted: 0 };
    this.summaries.set(sessionId, record);
    return { ...record };
  }
  async saveSummary(record: SummaryRecord): Promise<void> {
    this.summaries.set(record.sessionId, { ...record });
  }
  async releaseSummary(sessionId: string): Promise<void> {
    const record = this.summaries.get(sessionId);
    if (record) this.summaries.set(sessionId, { ...record, claimedAt: new Date(0).toISOString() });
  }
}
