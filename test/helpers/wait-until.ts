/**
 * Waiting in tests: polling until a condition holds, and promises a test releases on cue. Deadlines measure real
 * elapsed time (Date.now), never the pinned clock, which a test may move by days at once.
 */

export interface WaitOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** @default 20 */
  intervalMs?: number;
  /** What is awaited, for the timeout's message (a function is read only when the wait fails). @default "a condition" */
  what?: string | (() => string | Promise<string>);
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const what = typeof options.what === "function" ? await options.what() : (options.what ?? "a condition");
      throw new Error(`waited ${timeoutMs} ms for ${what} in vain`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

/** A promise with its resolver, for handlers a test releases on cue. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
