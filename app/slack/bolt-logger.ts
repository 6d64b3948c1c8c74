import { type Logger, LogLevel } from "@slack/bolt";
import type { Log } from "../pipeline/context.ts";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Bolt's and the Web API client's log lines into dq's structured log, at `level` and above. */
export function boltLogger(log: Log, level: LogLevel = LogLevel.WARN): Logger {
  let current = level;
  const emit = (at: LogLevel, msg: unknown[]) => {
    if (RANK[at] < RANK[current]) return;
    const text = msg
      .map((m) => (typeof m === "string" ? m : m instanceof Error ? m.message : JSON.stringify(m)))
      .join(" ");
    log[at](`bolt: ${text}`);
  };
  return {
    debug: (...msg: unknown[]) => emit(LogLevel.DEBUG, msg),
    info: (...msg: unknown[]) => emit(LogLevel.INFO, msg),
    warn: (...msg: unknown[]) => emit(LogLevel.WARN, msg),
    error: (...msg: unknown[]) => emit(LogLevel.ERROR, msg),
    setLevel: (next: LogLevel) => {
      current = next;
    },
    getLevel: () => current,
    setName: () => {},
  };
}
