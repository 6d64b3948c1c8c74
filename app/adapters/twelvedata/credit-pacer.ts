import Bottleneck from "bottleneck";

/**
 * A Bottleneck limiter holding `creditsPerWindow` credits, for the client's pacer or for several clients of one
 * account to share. It has no refresh interval: the pacer hands credits back one by one (see CreditPacer).
 * No concurrency cap: Bottleneck counts a job's weight against maxConcurrent too, so a cap of 1 would refuse
 * every multi-symbol request; the reservoir alone bounds what is in flight.
 */
export function createCreditLimiter(creditsPerWindow: number): Bottleneck {
  return new Bottleneck({ reservoir: creditsPerWindow });
}

/** The least slack on top of a full window before a credit comes back, at scaled (test) windows. */
const RETURN_MARGIN_MS = 25;

/**
 * dq check and dq profile pace by the client alone, from wherever the operator runs them (a laptop, a VPN): their
 * way to the provider spreads more than a Lambda's, and with no ledger's slots to keep they can afford the whole
 * forward budget of a Lambda's schedule (docs/architecture.md, "The spend schedule") whatever the window.
 */
export const OPERATOR_COUNTED_WITHIN_MS = 250;

/**
 * How long after a request leaves the provider has counted it, at the latest: its way to the provider's rate
 * limiter (which counts before any work, as its instant 429s show) and clock error. A quarter of the ledger's
 * slot margin, 250 ms at a 60 s window (docs/architecture.md, "The spend schedule").
 */
export function countedWithinMs(windowMs: number): number {
  return Math.max(RETURN_MARGIN_MS, windowMs / 240);
}

/**
 * The in-process rate guard: each request takes as many credits as it has symbols, and each credit comes back a
 * full window after the request was counted, at the latest `countedWithin` after it left. A reservoir refreshed on
 * a fixed interval would let two full windows' worth through within moments of each other around a refresh, which
 * a provider that counts a rolling window refuses. Counting from when the request left, not from its answer, keeps
 * the pacer from holding back a slot the ledger granted when the answer is slow: the provider's seconds of work for a
 * long lookback come after it counted the credits.
 */
export class CreditPacer {
  readonly #limiter: Bottleneck;
  readonly #creditsPerWindow: number;
  readonly #windowMs: number;
  readonly #countedWithinMs: number;
  /** performance.now() before which nothing is sent: the provider said the window is spent. */
  #pausedUntil = 0;
  /** Requests queued for credits that have not started yet. */
  #waiting = 0;
  /** Give-backs still pending: they keep the process alive exactly while a request waits for their credits. */
  readonly #giveBacks = new Set<NodeJS.Timeout>();

  constructor(
    limiter: Bottleneck,
    creditsPerWindow: number,
    windowMs: number,
    counted: number = countedWithinMs(windowMs),
  ) {
    this.#limiter = limiter;
    this.#creditsPerWindow = creditsPerWindow;
    this.#windowMs = windowMs;
    this.#countedWithinMs = counted;
  }

  get creditsPerWindow(): number {
    return this.#creditsPerWindow;
  }

  /** Runs `send` once `credits` are free and any pause is over; the credits return a window after it was counted. */
  async run<T>(credits: number, send: () => Promise<T>): Promise<T> {
    let started = false;
    this.#setWaiting(+1);
    try {
      return await this.#limiter.schedule({ weight: credits }, async () => {
        started = true;
        this.#setWaiting(-1);
        const wait = this.#pausedUntil - performance.now();
        if (wait > 0) await sleep(wait);
        const left = performance.now();
        try {
          return await send();
        } finally {
          this.#giveBackAt(left + this.#windowMs + this.#countedWithinMs, credits);
        }
      });
    } finally {
      if (!started) this.#setWaiting(-1);
    }
  }

  /**
   * The provider reports no credit left: send nothing for a full window after the request that said so was counted
   * (it left at `sentAt`, performance.now()), or, for a refusal (a 429), after now.
   */
  pauseForWindow(sentAt?: number): void {
    const until =
      sentAt === undefined
        ? performance.now() + this.#windowMs + RETURN_MARGIN_MS
        : sentAt + this.#windowMs + this.#countedWithinMs;
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  /** At `due` (performance.now()); a timer that fires early is set again for the rest. */
  #giveBackAt(due: number, credits: number): void {
    const timer = setTimeout(
      () => {
        this.#giveBacks.delete(timer);
        if (performance.now() < due) this.#giveBackAt(due, credits);
        else void this.#giveBack(credits);
      },
      Math.max(0, Math.ceil(due - performance.now())),
    );
    this.#giveBacks.add(timer);
    this.#holdProcess(timer);
  }

  #setWaiting(delta: number): void {
    const before = this.#waiting;
    this.#waiting += delta;
    if (before === 0 || this.#waiting === 0) for (const timer of this.#giveBacks) this.#holdProcess(timer);
  }

  /**
   * A give-back keeps the process alive only while a request waits for credits: a CLI whose next batch waits for
   * the next window must not exit with its work undone (nothing else is pending then), and an idle one (a CLI that
   * printed its report, a Lambda runtime shutting down) must not stay up a window for credits nobody wants.
   */
  #holdProcess(timer: NodeJS.Timeout): void {
    if (this.#waiting > 0) timer.ref();
    else timer.unref();
  }

  async #giveBack(credits: number): Promise<void> {
    const current = await this.#limiter.currentReservoir();
    // A shared or injected limiter may refill on its own: never hold more than one window's worth.
    const room = current === null ? 0 : Math.min(credits, this.#creditsPerWindow - current);
    if (room > 0) await this.#limiter.incrementReservoir(room);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
