import { type CreditMeter, WindowMode } from "./credit-meter.ts";

/**
 * Another program on the same API key (the datalake's loader, a notebook), as the emulator plays it:
 * - `greedy`: keeps `credits` of every window to itself, taking them the moment they come free;
 * - `bursty`: every `everyMs`, takes `credits` at once (as many of them as are free);
 * - `hog`: takes every credit the moment it comes free, for `forMs`, then stops.
 */
export type OtherConsumerPlan =
  | { kind: "greedy"; credits: number }
  | { kind: "bursty"; credits: number; everyMs: number }
  | { kind: "hog"; forMs: number };

/** Reads `greedy:3`, `bursty:6:5000` or `hog:30000` (the emulator's command line). */
export function parseOtherConsumer(text: string): OtherConsumerPlan {
  const [kind, a, b] = text.split(":");
  const n = (raw: string | undefined) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`other consumer ${JSON.stringify(text)}: ${raw}`);
    return value;
  };
  if (kind === "greedy") return { kind, credits: n(a) };
  if (kind === "bursty") return { kind, credits: n(a), everyMs: n(b) };
  if (kind === "hog") return { kind, forMs: n(a) };
  throw new RangeError(`other consumer ${JSON.stringify(text)}: expected greedy:N, bursty:N:MS or hog:MS`);
}

/**
 * Plays the other program's spends lazily: before the emulator counts anything at `now`, every spend the program
 * would have made since it last looked is made at its own instant, in order. Deterministic, and ties go to the other
 * program: credits that come free at the very instant a client's request arrives are already taken.
 */
export class OtherConsumer {
  readonly plan: OtherConsumerPlan;
  readonly #since: number;
  #last: number;
  /** Credits the provider charged this program. */
  spent = 0;

  constructor(plan: OtherConsumerPlan, since: number) {
    this.plan = plan;
    this.#since = since;
    this.#last = since - 1;
  }

  catchUp(meter: CreditMeter, now: number): void {
    for (let at = this.#next(meter, now); at !== undefined; at = this.#next(meter, now)) {
      this.#act(meter, at);
      this.#last = at;
    }
  }

  #act(meter: CreditMeter, at: number): void {
    const room = meter.perWindow - meter.windowUsed(at);
    const wanted =
      this.plan.kind === "greedy"
        ? this.plan.credits - meter.windowUsed(at, "other")
        : this.plan.kind === "bursty"
          ? this.plan.credits
          : room;
    const take = Math.min(wanted, room);
    if (take > 0 && meter.charge(take, at, "other").ok) this.spent += take;
  }

  /** The next instant after the last one played, up to `now`, at which the program spends (or tries to). */
  #next(meter: CreditMeter, now: number): number | undefined {
    let at: number | undefined;
    if (this.#last < this.#since) at = this.#since;
    else if (this.plan.kind === "bursty")
      at = this.#since + (Math.floor((this.#last - this.#since) / this.plan.everyMs) + 1) * this.plan.everyMs;
    else if (meter.mode === WindowMode.calendar) at = (Math.floor(this.#last / meter.windowMs) + 1) * meter.windowMs;
    else
      for (const spend of meter.recentSpends()) {
        const free = spend.at + meter.windowMs;
        if (free > this.#last && (at === undefined || free < at)) at = free;
      }
    if (at === undefined || at > now) return undefined;
    if (this.plan.kind === "hog" && at >= this.#since + this.plan.forMs) return undefined;
    return at;
  }
}
