import type { Log, MetricName, MetricsSink } from "../app/pipeline/context.ts";
import type { Simulation } from "./engine.ts";

export interface LogEntry {
  at: number;
  level: "debug" | "info" | "warn" | "error";
  message: string;
  extra?: Record<string, unknown>;
  invocation: number;
}

/** The logs and metrics of every invocation of one simulated stack. Debug and info lines are counted, not kept. */
export class Telemetry {
  readonly entries: LogEntry[] = [];
  readonly metrics = new Map<MetricName, number>();
  /** Sessions for which a SessionOverdue was emitted, with the first time it was. */
  readonly overdue = new Map<string, number>();
  readonly #sim: Simulation;
  readonly #echo: boolean;
  #quiet = 0;

  constructor(sim: Simulation, echo: boolean) {
    this.#sim = sim;
    this.#echo = echo;
  }

  get linesLogged(): number {
    return this.entries.length + this.#quiet;
  }

  logFor(invocation: number, fn: string): Log {
    const write = (level: LogEntry["level"]) => (message: string, extra?: Record<string, unknown>) => {
      if (this.#echo)
        console.log(
          `${new Date(this.#sim.now).toISOString()} ${fn}#${invocation} ${level} ${message} ${extra ? JSON.stringify(extra) : ""}`,
        );
      if (level === "debug" || level === "info") {
        this.#quiet++;
        return;
      }
      this.entries.push({ at: this.#sim.now, level, message, ...(extra ? { extra } : {}), invocation });
      const sessionId = extra?.sessionId;
      if (typeof sessionId === "string" && /overdue/i.test(message) && !this.overdue.has(sessionId))
        this.overdue.set(sessionId, this.#sim.now);
    };
    return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
  }

  readonly sink: MetricsSink = {
    count: (name, value) => {
      this.metrics.set(name, (this.metrics.get(name) ?? 0) + value);
    },
  };
}
