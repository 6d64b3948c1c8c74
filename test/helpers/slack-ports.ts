/** In-memory fakes of the Slack app's ports: the session operations, the starter, the daily schedule, the jobs. */
import type { Page, SessionRecord } from "../../app/pipeline/model.ts";
import { OperationError, type SessionStatusView } from "../../app/pipeline/operations.ts";
import type { StartInput } from "../../app/pipeline/start-session.ts";
import { type SlackJob, type SlackJobQueue, slackJobEvent } from "../../app/slack/jobs.ts";
import type {
  DailySchedule,
  DailyScheduleInfo,
  SessionOperations,
  SessionStarter,
  StartOutcome,
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
