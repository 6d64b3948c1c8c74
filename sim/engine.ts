import { setImmediate as yieldToMacrotasks } from "node:timers/promises";

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

export type RunEnd = "idle" | "until" | "max_events" | "stopped";

/**
 * One virtual clock and one scheduler of events. Everything the simulation drives waits only on promises this
 * scheduler resolves, so after each event the microtask queue drains completely (one macrotask turn) before the
 * next event fires: the run is a pure function of the seed. Ties fire in the order they were scheduled.
 */
export class Simulation {
  /** True time, ms since the epoch. Workers read it through their own (skewed) clocks. */
  now: number;
  /** Events fired so far. */
  fired = 0;
  readonly #heap: Scheduled[] = [];
  #seq = 0;

  constructor(start: number) {
    this.now = start;
  }

  /** Runs `run` at `at` (never in the past). */
  at(at: number, run: () => void): void {
    push(this.#heap, { at: Math.max(Math.round(at), this.now), seq: this.#seq++, run });
  }

  after(ms: number, run: () => void): void {
    this.at(this.now + Math.max(0, ms), run);
  }

  /** Resolves `ms` of virtual time from now. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** A promise that never settles: what an awaiting worker sees once its process is gone. */
  static never<T>(): Promise<T> {
    return new Promise<T>(() => undefined);
  }

  get pending(): number {
    return this.#heap.length;
  }

  async run(options: { until: number; maxEvents: number; stop?: () => boolean }): Promise<RunEnd> {
    await yieldToMacrotasks();
    for (;;) {
      if (options.stop?.()) return "stopped";
      const next = pop(this.#heap);
      if (next === undefined) return "idle";
      if (next.at > options.until) {
        push(this.#heap, next);
        this.now = options.until;
        return "until";
      }
      if (this.fired >= options.maxEvents) return "max_events";
      this.now = next.at;
      this.fired++;
      next.run();
      await yieldToMacrotasks();
    }
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function push(heap: Scheduled[], item: Scheduled): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i] as Scheduled, heap[parent] as Scheduled)) break;
    [heap[i], heap[parent]] = [heap[parent] as Scheduled, heap[i] as Scheduled];
    i = parent;
  }
}

function pop(heap: Scheduled[]): Scheduled | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l] as Scheduled, heap[m] as Scheduled)) m = l;
    if (r < heap.length && before(heap[r] as Scheduled, heap[m] as Scheduled)) m = r;
    if (m === i) break;
    [heap[i], heap[m]] = [heap[m] as Scheduled, heap[i] as Scheduled];
    i = m;
  }
  return top;
}
