import { AsyncLocalStorage } from "node:async_hooks";
import type { LocalFunction } from "../local/aws/functions.ts";

/**
 * Lambda's execution environments for one function, as far as module state goes: an invocation runs in an idle
 * warm container when there is one (the most recently used), else in a new one (a cold start). Whatever a
 * container holds — here the Twelve Data client and its in-process credit pacer — is shared by the invocations it
 * runs one after another, never by invocations running at the same time, as on AWS.
 */
export class WarmContainers<T> {
  readonly #create: () => T;
  readonly #idle: T[] = [];
  readonly #storage = new AsyncLocalStorage<T>();
  #created = 0;

  constructor(create: () => T) {
    this.#create = create;
  }

  wrap(fn: LocalFunction): LocalFunction {
    return async (event) => {
      const container = this.#idle.pop() ?? this.#coldStart();
      try {
        return await this.#storage.run(container, () => fn(event));
      } finally {
        this.#idle.push(container);
      }
    };
  }

  /** The container of the invocation this call belongs to, if any. */
  current(): T | undefined {
    return this.#storage.getStore();
  }

  /** Containers created so far: the cold starts. */
  get created(): number {
    return this.#created;
  }

  #coldStart(): T {
    this.#created++;
    return this.#create();
  }
}
