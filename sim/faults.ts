import type { Random } from "./random.ts";

/** What the seed does to one port call. */
export const Fault = {
  none: "none",
  /** The call fails before it reaches the service: nothing happened (after the SDK's own retries). */
  failBefore: "fail before the effect",
  /** The service applied the call, but the caller sees an error (a lost answer: the ambiguous write). */
  failAfter: "fail after the effect",
  /** The worker dies before the call reaches the service. */
  crashBefore: "crash before the effect",
  /** The worker dies after the service applied the call, before it sees the answer. */
  crashAfter: "crash after the effect",
  /** The call takes seconds (throttling, a slow partition), enough to push a worker past its timeout. */
  slow: "slow call",
} as const;
export type Fault = (typeof Fault)[keyof typeof Fault];

/** The ports whose calls the seed may fail. */
export type PortName = "store" | "ledger" | "queue" | "resume" | "events";

export interface FaultRates {
  /** Probability that one port call meets a fault. */
  perCall: number;
  /** Relative weights of the kinds of port faults. */
  kinds: Partial<Record<Exclude<Fault, "none">, number>>;
  /** An SQS receive handed to two invocations at once. */
  duplicateDelivery: number;
  /** An SQS message picked up tens of seconds after it became visible. */
  lateDelivery: number;
  /** An SQS receive whose invocation is throttled: the receive counts, the message returns after the visibility. */
  throttledReceive: number;
  /** Lambda delivering an asynchronous event twice. */
  duplicateAsyncEvent: number;
  /** Largest clock skew of a worker, either way, ms. */
  maxSkewMs: number;
}

export const NO_FAULTS: FaultRates = {
  perCall: 0,
  kinds: {},
  duplicateDelivery: 0,
  lateDelivery: 0,
  throttledReceive: 0,
  duplicateAsyncEvent: 0,
  maxSkewMs: 0,
};

/**
 * Chooses, from the seed, the fault each port call meets, and counts what it injected by kind. Publishing an
 * event never "fails after the effect": EventBridge gives no way to publish exactly once past a lost answer, and
 * the notifier keys its Slack message on the session, so that case is at-least-once by design.
 */
export class FaultPlan {
  readonly rates: FaultRates;
  readonly #random: Random;
  readonly injected = new Map<string, number>();

  constructor(random: Random, rates: FaultRates) {
    this.#random = random;
    this.rates = rates;
  }

  forCall(port: PortName, method: string): Fault {
    if (!this.#random.chance(this.rates.perCall)) return Fault.none;
    const kinds = Object.entries(this.rates.kinds).filter(
      ([kind, weight]) => weight > 0 && !(port === "events" && kind === Fault.failAfter),
    ) as [Exclude<Fault, "none">, number][];
    if (kinds.length === 0) return Fault.none;
    const fault = this.#random.weighted(kinds);
    this.count(`${port}.${method}: ${fault}`);
    return fault;
  }

  /** Draws with probability `p` and counts the fault `label` when it happens. */
  roll(p: number, label: string): boolean {
    if (!this.#random.chance(p)) return false;
    this.count(label);
    return true;
  }

  count(label: string, n = 1): void {
    this.injected.set(label, (this.injected.get(label) ?? 0) + n);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.injected.values()) sum += n;
    return sum;
  }
}
