import { randomUUID } from "node:crypto";
import type { FunctionName } from "../../app/wiring.ts";
import { UnknownFunctionError } from "./errors.ts";
import type { LocalFunctions } from "./functions.ts";

export const InvocationStatus = { running: "running", succeeded: "succeeded", failed: "failed" } as const;
export type InvocationStatus = (typeof InvocationStatus)[keyof typeof InvocationStatus];

/** One asynchronous invocation, updated in place as its attempts run. */
export interface InvocationRecord {
  id: string;
  functionName: FunctionName;
  /** Who invoked it, e.g. `eventbridge:workflow-finished`, `scheduler:dq-local-daily`, `lambda`. */
  source: string;
  event: unknown;
  status: InvocationStatus;
  attempts: number;
  result?: unknown;
  /** The last attempt's error, when it failed. */
  error?: unknown;
  startedAt: number;
  finishedAt?: number;
}

export interface BackgroundInvokerOptions {
  functions: LocalFunctions;
  /** Retries after a failed attempt. @default 2, as Lambda retries an asynchronous invocation */
  retryAttempts?: number;
  /** Pause before each retry; Lambda waits minutes, the local stack far less. @default 200 */
  retryDelayMs?: number;
  /** Called once per invocation whose every attempt failed. @default nothing */
  onFailure?: (record: InvocationRecord) => void;
  /** @default Date.now */
  clock?: () => number;
}

/**
 * Runs functions the way Lambda runs an asynchronous (`Event`) invocation: the caller does not wait, a failure is
 * retried, and the outcome is only observable afterwards. Never lets a rejection escape unhandled.
 */
export class BackgroundInvoker {
  readonly #functions: LocalFunctions;
  readonly #retryAttempts: number;
  readonly #retryDelayMs: number;
  readonly #onFailure: (record: InvocationRecord) => void;
  readonly #clock: () => number;
  readonly #records: InvocationRecord[] = [];
  readonly #running = new Set<Promise<void>>();

  constructor(options: BackgroundInvokerOptions) {
    this.#functions = options.functions;
    this.#retryAttempts = options.retryAttempts ?? 2;
    this.#retryDelayMs = options.retryDelayMs ?? 200;
    this.#onFailure = options.onFailure ?? (() => {});
    this.#clock = options.clock ?? Date.now;
  }

  has(name: FunctionName): boolean {
    return this.#functions[name] !== undefined;
  }

  /** Starts the invocation and returns its record at once; an unregistered function fails without an attempt. */
  invoke(functionName: FunctionName, event: unknown, source: string): InvocationRecord {
    const record = this.#record(functionName, event, source);
    const run = this.#run(record, this.#retryAttempts).finally(() => this.#running.delete(run));
    this.#running.add(run);
    return record;
  }

  /** One attempt, awaited, as a synchronous (`RequestResponse`) invocation: no retry. */
  async invokeNow(functionName: FunctionName, event: unknown, source: string): Promise<InvocationRecord> {
    const record = this.#record(functionName, event, source);
    const run = this.#run(record, 0).finally(() => this.#running.delete(run));
    this.#running.add(run);
    await run;
    return record;
  }

  #record(functionName: FunctionName, event: unknown, source: string): InvocationRecord {
    const record: InvocationRecord = {
      id: randomUUID(),
      functionName,
      source,
      event,
      status: InvocationStatus.running,
      attempts: 0,
      startedAt: this.#clock(),
    };
    this.#records.push(record);
    return record;
  }

  async #run(record: InvocationRecord, retryAttempts: number): Promise<void> {
    const fn = this.#functions[record.functionName];
    if (fn === undefined) {
      this.#finish(record, InvocationStatus.failed, { error: new UnknownFunctionError(record.functionName) });
      return;
    }
    for (;;) {
      record.attempts++;
      try {
        const result = await fn(record.event);
        this.#finish(record, InvocationStatus.succeeded, { result });
        return;
      } catch (error) {
        if (record.attempts > retryAttempts) {
          this.#finish(record, InvocationStatus.failed, { error });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs));
      }
    }
  }

  #finish(record: InvocationRecord, status: InvocationStatus, outcome: { result?: unknown; error?: unknown }): void {
    record.status = status;
    record.finishedAt = this.#clock();
    if ("result" in outcome) record.result = outcome.result;
    if ("error" in outcome) record.error = outcome.error;
    if (status === InvocationStatus.failed) {
      try {
        this.#onFailure(record);
      } catch {
        // A failing observer must not turn into an unhandled rejection of the invocation.
      }
    }
  }

  /** Every invocation so far, oldest first. */
  records(): readonly InvocationRecord[] {
    return this.#records;
  }

  /** Resolves when no invocation is running, including ones started while waiting. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
