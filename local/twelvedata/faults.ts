import { mulberry32 } from "../market/prng.ts";

/**
 * Failures the emulator can play, one request at a time:
 * - `5xx`: a JSON error body with code 500 (an HTTP 500, or a 200 under the body200 error style);
 * - `html`: a gateway's 502 with an HTML page;
 * - `malformed`: a 200 whose JSON is cut short;
 * - `timeout`: no answer at all until the client gives up or the emulator closes;
 * - `404transient`: one symbol's entry becomes `Data not found` although the symbol exists.
 */
export const FaultKind = {
  serverError: "5xx",
  html: "html",
  malformed: "malformed",
  timeout: "timeout",
  transient404: "404transient",
} as const;
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

export interface FailNext {
  kind: FaultKind;
  /** How many of the next /time_series requests fail this way. */
  count: number;
  /** For `404transient`: the symbol (as requested) whose entry fails. @default the request's first symbol */
  symbol?: string;
}

export interface Faults {
  /** Delay before every /time_series answer. @default 0 */
  latencyMs: number;
  /** Share of /time_series requests answered with a 5xx, drawn from a seeded generator. @default 0 */
  serverErrorRate: number;
  /** Replaces the queue of deterministic failures; null empties it. @default null */
  failNext: FailNext | null;
}

export interface PlannedFault {
  kind: FaultKind;
  symbol?: string;
}

/** The emulator's current fault settings. Deterministic: the queue first, then the seeded rate. */
export class FaultPlan {
  #latencyMs = 0;
  #serverErrorRate = 0;
  #queue: PlannedFault[] = [];
  readonly #random: () => number;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  get latencyMs(): number {
    return this.#latencyMs;
  }

  set(faults: Partial<Faults>): void {
    if (faults.latencyMs !== undefined) this.#latencyMs = Math.max(0, faults.latencyMs);
    if (faults.serverErrorRate !== undefined) this.#serverErrorRate = Math.min(1, Math.max(0, faults.serverErrorRate));
    if (faults.failNext !== undefined) {
      this.#queue = [];
      if (faults.failNext) this.enqueue(faults.failNext);
    }
  }

  enqueue(failNext: FailNext): void {
    const planned: PlannedFault =
      failNext.symbol === undefined ? { kind: failNext.kind } : { kind: failNext.kind, symbol: failNext.symbol };
    for (let i = 0; i < failNext.count; i++) this.#queue.push(planned);
  }

  clear(): void {
    this.#latencyMs = 0;
    this.#serverErrorRate = 0;
    this.#queue = [];
  }

  /** The fault for the next request, if any. */
  next(): PlannedFault | undefined {
    const queued = this.#queue.shift();
    if (queued) return queued;
    if (this.#serverErrorRate > 0 && this.#random() < this.#serverErrorRate) return { kind: FaultKind.serverError };
    return undefined;
  }
}
