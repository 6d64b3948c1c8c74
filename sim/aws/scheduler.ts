import { atExpression } from "../../app/adapters/scheduler/resume-scheduler.ts";
import type { ResumeScheduler } from "../../app/pipeline/ports.ts";
import type { Simulation } from "../engine.ts";
import type { Random } from "../random.ts";
import type { SimQueue } from "./queue.ts";

export interface ScheduleFiring {
  sessionId: string;
  /** The schedule's `at()` time. */
  at: number;
  firedAt: number;
}

/**
 * EventBridge Scheduler's one-time `at()` schedules with an SQS target, as SchedulerResume uses them: the time is
 * rounded up to the second, a schedule of an existing name is a conflict the adapter treats as done, the target
 * gets `{type: "pump"}` up to a minute late (flexible window off still fires "within a minute"), and the schedule
 * deletes itself after it fired (ActionAfterCompletion DELETE).
 */
export class SimScheduler implements ResumeScheduler {
  readonly firings: ScheduleFiring[] = [];
  readonly #sim: Simulation;
  readonly #random: Random;
  readonly #target: SimQueue;
  readonly #schedules = new Map<string, { at: number; version: number }>();
  #versions = 0;

  constructor(sim: Simulation, random: Random, target: SimQueue) {
    this.#sim = sim;
    this.#random = random;
    this.#target = target;
  }

  async scheduleResume(sessionId: string, at: Date): Promise<void> {
    const name = `resume-${sessionId}`;
    if (this.#schedules.has(name)) return;
    const when = Date.parse(`${atExpression(at).slice(3, -1)}Z`);
    const version = ++this.#versions;
    this.#schedules.set(name, { at: when, version });
    this.#sim.at(when + this.#random.between(0, 60_000), () => {
      if (this.#schedules.get(name)?.version !== version) return;
      this.#schedules.delete(name);
      this.firings.push({ sessionId, at: when, firedAt: this.#sim.now });
      this.#target.enqueue(JSON.stringify({ type: "pump", sessionId }), 0);
    });
  }

  async cancelResume(sessionId: string): Promise<void> {
    this.#schedules.delete(`resume-${sessionId}`);
  }

  /** When the session's resume schedule fires (its `at()` time), or undefined when it has none. */
  scheduledAt(sessionId: string): number | undefined {
    return this.#schedules.get(`resume-${sessionId}`)?.at;
  }

  /** Schedules that exist now, by session. */
  pending(): string[] {
    return [...this.#schedules.keys()].map((name) => name.slice("resume-".length));
  }
}
