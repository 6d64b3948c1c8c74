import { StoreError } from "../app/adapters/dynamodb/errors.ts";
import { EventPublishError } from "../app/adapters/eventbridge/publisher.ts";
import { ResumeScheduleError } from "../app/adapters/scheduler/resume-scheduler.ts";
import { WorkQueueError } from "../app/adapters/sqs/work-queue.ts";
import type { WorkMessage } from "../app/pipeline/ports.ts";
import type { FunctionName } from "../app/wiring.ts";
import { Simulation } from "./engine.ts";
import { Fault, type FaultPlan, type PortName } from "./faults.ts";
import type { Random } from "./random.ts";

/** A Lambda execution environment: reused across invocations, with its own clock error. */
export interface Container {
  id: number;
  fn: FunctionName;
  skewMs: number;
  busy: boolean;
}

export type InvocationOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; reason: "timeout" | "crash" | "error"; error?: unknown };

/**
 * One invocation of a function. Once it is dead (its timeout passed, or the seed crashed it), every await it makes
 * never returns: no `finally` or `catch` of a killed process runs, exactly as on Lambda.
 */
export class Invocation {
  readonly id: number;
  readonly fn: FunctionName;
  readonly container: Container;
  readonly deadline: number;
  readonly #sim: Simulation;
  #dead = false;
  #onDeath: ((reason: "timeout" | "crash") => void) | undefined;

  constructor(sim: Simulation, id: number, fn: FunctionName, container: Container, timeoutMs: number) {
    this.#sim = sim;
    this.id = id;
    this.fn = fn;
    this.container = container;
    this.deadline = sim.now + timeoutMs;
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** The worker's clock: true time plus its container's skew. */
  readonly clock = (): number => this.#sim.now + this.container.skewMs;

  readonly sleep = async (ms: number): Promise<void> => {
    if (this.#dead) return Simulation.never();
    await this.#sim.sleep(ms);
    if (this.#dead) return Simulation.never();
  };

  onDeath(listener: (reason: "timeout" | "crash") => void): void {
    this.#onDeath = listener;
  }

  kill(reason: "timeout" | "crash"): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#onDeath?.(reason);
  }
}

/** One way, ms, for a call to `port`. */
export type LatencyModel = (port: PortName) => number;

/**
 * Lambda as the simulation sees it: containers with skewed clocks, cold starts, and invocations cut at their
 * timeout. Every port call of an invocation goes through `instrument`, where the seed injects its faults.
 */
export class LambdaService {
  readonly #sim: Simulation;
  readonly #random: Random;
  readonly #faults: FaultPlan;
  readonly #latency: LatencyModel;
  readonly #containers: Container[] = [];
  #invocations = 0;
  /** Invocations by function and outcome, for the report. */
  readonly outcomes = new Map<string, number>();
  /** Called with every invocation that did not succeed (for --verbose). */
  onFailure: ((invocation: Invocation, reason: string, error: unknown) => void) | undefined;

  constructor(sim: Simulation, random: Random, faults: FaultPlan, latency: LatencyModel) {
    this.#sim = sim;
    this.#random = random;
    this.#faults = faults;
    this.#latency = latency;
  }

  get invocations(): number {
    return this.#invocations;
  }

  /** Runs `body` as one invocation of `fn`; resolves with its outcome (a timeout or crash included). */
  invoke<T>(
    fn: FunctionName,
    timeoutMs: number,
    body: (invocation: Invocation) => Promise<T>,
  ): Promise<InvocationOutcome<T>> {
    const { container, cold } = this.#container(fn);
    container.busy = true;
    const invocation = new Invocation(this.#sim, ++this.#invocations, fn, container, timeoutMs);
    return new Promise<InvocationOutcome<T>>((resolve) => {
      let settled = false;
      const settle = (outcome: InvocationOutcome<T>) => {
        if (settled) return;
        settled = true;
        container.busy = false;
        const label = `${fn}: ${outcome.ok ? "ok" : outcome.reason}`;
        if (!outcome.ok) this.onFailure?.(invocation, outcome.reason, outcome.error);
        this.outcomes.set(label, (this.outcomes.get(label) ?? 0) + 1);
        resolve(outcome);
      };
      invocation.onDeath((reason) => settle({ ok: false, reason }));
      this.#sim.at(invocation.deadline, () => invocation.kill("timeout"));
      const run = async () => {
        if (cold) await invocation.sleep(this.#random.between(150, 900));
        return body(invocation);
      };
      run().then(
        (value) => {
          if (!invocation.dead) settle({ ok: true, value });
        },
        (error: unknown) => {
          if (!invocation.dead) settle({ ok: false, reason: "error", error });
        },
      );
    });
  }

  /**
   * `target` as `invocation` sees it: each method call crosses the network (latency), may meet the seed's fault,
   * and never returns once the invocation is dead. The target's own method must apply at once (no awaits inside).
   */
  instrument<T extends object>(target: T, port: PortName, invocation: Invocation): T {
    const call = this.#call.bind(this);
    return new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== "function" || typeof property !== "string") return value;
        return (...args: unknown[]) =>
          call(
            invocation,
            port,
            property,
            () => (value as (...a: unknown[]) => Promise<unknown>).apply(object, args),
            args,
          );
      },
    });
  }

  async #call(
    invocation: Invocation,
    port: PortName,
    method: string,
    effect: () => Promise<unknown>,
    args: unknown[],
  ): Promise<unknown> {
    const fault = this.#faults.forCall(port, method);
    await invocation.sleep(this.#latency(port) + (fault === Fault.slow ? this.#random.between(2_000, 45_000) : 0));
    if (fault === Fault.crashBefore) return this.#die(invocation);
    if (fault === Fault.failBefore) throw transientError(port, method, args);
    const result = await effect();
    if (fault === Fault.crashAfter) return this.#die(invocation);
    await invocation.sleep(this.#latency(port));
    if (fault === Fault.failAfter) throw transientError(port, method, args);
    return result;
  }

  #die(invocation: Invocation): Promise<never> {
    invocation.kill("crash");
    return Simulation.never();
  }

  #container(fn: FunctionName): { container: Container; cold: boolean } {
    const idle = this.#containers.filter((c) => c.fn === fn && !c.busy);
    if (idle.length > 0 && this.#random.chance(0.9)) return { container: this.#random.pick(idle), cold: false };
    const max = this.#faults.rates.maxSkewMs;
    const container: Container = {
      id: this.#containers.length + 1,
      fn,
      skewMs: Math.round(this.#random.between(-max, max)),
      busy: false,
    };
    if (Math.abs(container.skewMs) > 50) this.#faults.count("worker clock skew beyond 50 ms");
    this.#containers.push(container);
    return { container, cold: true };
  }
}

/** The error each adapter throws when its service fails a call after the SDK's retries. */
function transientError(port: PortName, method: string, args: unknown[]): Error {
  const reason = "simulated: ThrottlingException after the SDK's retries";
  switch (port) {
    case "store":
    case "ledger":
      return new StoreError(method, "dq-sim-table", undefined, reason);
    case "queue":
      return new WorkQueueError("https://sqs.sim/000000000000/dq-sim-work", args[0] as WorkMessage, {
        cause: new Error(reason),
      });
    case "resume":
      return new ResumeScheduleError(
        method === "cancelResume" ? "delete" : "create",
        String(args[0]),
        `resume-${String(args[0])}`,
        "dq-sim-schedules",
        { cause: new Error(reason) },
      );
    case "events":
      return new EventPublishError("WorkflowCompleted", "dq-sim-events", "ThrottlingException", reason);
  }
}
