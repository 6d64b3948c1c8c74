import type { Operations } from "../pipeline/operations.ts";
import type { SessionStore } from "../pipeline/ports.ts";
import type { StartInput } from "../pipeline/start-session.ts";

/**
 * What the coordinator made of a start: a session (new, or the one the same idempotency key already started), a
 * rejection whose reason is for the person who asked (bad input, an empty universe, nothing to retry), or no
 * answer yet (the start runs on, its outcome shows in the channel).
 */
export type StartOutcome =
  | {
      status: "initiated" | "duplicate";
      sessionId: string;
      totalSymbols: number;
      estimatedDurationMinutes: number;
    }
  | { status: "rejected"; reason: string }
  | { status: "pending" };

/**
 * Starts a session through the coordinator and says how it went. Called from the Slack function's asynchronous
 * work, never while Slack waits for an answer.
 */
export interface SessionStarter {
  start(input: StartInput): Promise<StartOutcome>;
}

/** What Slack asks of the pipeline: the subset of Operations it calls, so tests can pass a small fake. */
export type SessionOperations = Pick<Operations, "status" | "list" | "cancel"> & Partial<Pick<Operations, "coverage">>;

export const ScheduleState = { enabled: "ENABLED", disabled: "DISABLED" } as const;
export type ScheduleState = (typeof ScheduleState)[keyof typeof ScheduleState];

/** The daily schedule as an operator reads it. */
export interface DailyScheduleInfo {
  name: string;
  state: ScheduleState;
  /** The Scheduler expression, e.g. `cron(30 4 ? * TUE-SAT *)`. */
  expression: string;
  timezone: string;
  /** `HH:MM` when the expression is a daily cron with one hour and minute; undefined otherwise. */
  time?: string;
  /** The day-of-week field of the cron, e.g. `TUE-SAT`. */
  days?: string;
  /** Schedules paused or resumed with it (the weekly deep check), after a pause or a resume. */
  alongside?: { name: string; state: ScheduleState }[];
}

/** The daily EventBridge Scheduler schedule that starts a session (the Scheduler shim locally). */
export interface DailySchedule {
  show(): Promise<DailyScheduleInfo>;
  pause(): Promise<DailyScheduleInfo>;
  resume(): Promise<DailyScheduleInfo>;
  /** Moves the run to HH:MM, keeping the days; `timezone` omitted keeps the current one. */
  set(time: { hour: number; minute: number; timezone?: string }): Promise<DailyScheduleInfo>;
}

/** What the notifier reads of a session: the session, and its results page by page. */
export type SessionResults = Pick<SessionStore, "getSession" | "listResults">;

/** A symbol whose failures summaries leave out until `until`; the checks still run and record them. */
export interface Mute {
  symbol: string;
  /** ISO instant the mute ends. */
  until: string;
  /** Who muted it (a Slack user ID). */
  by: string;
  /** ISO instant it was muted. */
  at: string;
}

/** The failing symbols of one session, as the next session of the same universe compares them. */
export interface UniverseSnapshot {
  sessionId: string;
  /** ISO instant the session finished. */
  finishedAt: string;
  /** Failing (failed or errored) symbol -> ISO instant of the first session in a row that found it failing. */
  failing: Record<string, string>;
}

/** What the notifier has posted for a session, so a redelivered event never posts it (or its mention) twice. */
export interface SummaryRecord {
  sessionId: string;
  /** ISO instant the posting was claimed. */
  claimedAt: string;
  /** The summary message, once posted. */
  channel?: string;
  ts?: string;
  /** Thread messages posted so far. */
  threadPosted: number;
  /** Set once the thread is complete. */
  done?: boolean;
}

/**
 * Slack's own state in dq's table, every item with a TTL: mutes, the last failing symbols per universe, and what
 * was posted per session.
 */
export interface SlackState {
  /** Mutes (or mutes again, with the new end) a symbol. */
  mute(mute: Mute): Promise<void>;
  /** Ends a mute now; false if the symbol was not muted. */
  unmute(symbol: string, now: number): Promise<boolean>;
  /** The mutes still in force at `now`, by symbol. */
  activeMutes(now: number): Promise<Mute[]>;

  /** The snapshot of the last session of `universe` other than `sessionId` (the one before it). */
  previousSnapshot(universe: string, sessionId: string): Promise<UniverseSnapshot | undefined>;
  /** Records `snapshot` as the universe's last session; recording the same session again changes nothing. */
  recordSnapshot(universe: string, snapshot: UniverseSnapshot): Promise<void>;

  /**
   * Claims the posting of a session's summary. Answers the record to go on from: a new one, or one whose posting
   * was left unfinished (no claim newer than `staleMs`); undefined when it is done, or another worker holds it.
   */
  claimSummary(sessionId: string, now: number, staleMs: number): Promise<SummaryRecord | undefined>;
  saveSummary(record: SummaryRecord): Promise<void>;
  /** Gives the claim up (the posting failed), keeping what was posted, so the next attempt goes on from there. */
  releaseSummary(sessionId: string): Promise<void>;
}
