import type { Operations } from "../pipeline/operations.ts";
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
export type SessionOperations = Pick<Operations, "status" | "list" | "cancel">;

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
}

/** The daily EventBridge Scheduler schedule that starts a session (the Scheduler shim locally). */
export interface DailySchedule {
  show(): Promise<DailyScheduleInfo>;
  pause(): Promise<DailyScheduleInfo>;
  resume(): Promise<DailyScheduleInfo>;
  /** Moves the run to HH:MM, keeping the days; `timezone` omitted keeps the current one. */
  set(time: { hour: number; minute: number; timezone?: string }): Promise<DailyScheduleInfo>;
}
