/** In-memory fakes of the Slack app's ports: the session operations, the starter and the daily schedule. */
import type { Page, SessionRecord } from "../../app/pipeline/model.ts";
import { OperationError, type SessionStatusView } from "../../app/pipeline/operations.ts";
import type { StartInput } from "../../app/pipeline/start-session.ts";
import type { DailySchedule, DailyScheduleInfo, SessionOperations, SessionStarter } from "../../app/slack/ports.ts";
import { sessionInProgress } from "./session-records.ts";

/** Records starts; a start resolves at once, as an asynchronous Lambda invocation does. */
export class RecordingStarter implements SessionStarter {
  readonly inputs: StartInput[] = [];
  failWith: Error | undefined;
  async start(input: StartInput): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.inputs.push(input);
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
