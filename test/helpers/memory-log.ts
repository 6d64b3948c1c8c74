import type { Log } from "../../app/pipeline/context.ts";

export interface LogLine {
  level: string;
  message: string;
  extra?: Record<string, unknown>;
}

/** A pipeline log that keeps every line, debug included, so a test can assert what was logged. */
export class MemoryLog implements Log {
  readonly lines: LogLine[] = [];
  debug(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: "debug", message, extra });
  }
  info(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: "info", message, extra });
  }
  warn(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: "warn", message, extra });
  }
  error(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: "error", message, extra });
  }
}
