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

/** Slack on top of a full window before a credit comes back: Node timers can fire a millisecond early. */
const RETURN_MARGIN_MS = 25;

/**
 * The in-process rate guard: each request takes as many credits as it has symbols, and each credit comes back a
 * full window after its answer arrived. A reservoir refreshed on a fixed interval would let two full windows' worth
 * through within moments of each other around a refresh, which a provider that counts a rolling window refuses;
 * returning each credit a window after the answer (the latest instant the provider can have counted it) is safe
 * under both the rolling and the calendar reading.
 */
export class CreditPacer {
  readonly #limiter: Bottleneck;
  readonly #creditsPerWindow: number;
  readonly #windowMs: number;
  /** performance.now() before which nothing is sent: the provider said the window is spent. */
  #pausedUntil = 0;
  /** Requests queued for credits that have not started yet. */
  #waiting = 0;
  /** Give-backs still pending: they keep the process alive exactly while a request waits for their credits. */
  readonly #giveBacks = new Set<NodeJS.Timeout>();

  constructor(limiter: Bottleneck, creditsPerWindow: number, windowMs: number) {
    this.#limiter = limiter;
    this.#creditsPerWindow = creditsPerWindow;
    this.#windowMs = windowMs;
  }

  get creditsPerWindow(): number {
    return this.#creditsPerWindow;
  }

  /** Runs `send` once `credits` are free and any pause is over; the credits return a window after it settles. */
  async run<T>(credits: number, send: () => Promise<T>): Promise<T> {
    let started = false;
    this.#setWaiting(+1);
    try {
      return await this.#limiter.schedule({ weight: credits }, async () => {
        started = true;
        this.#setWaiting(-1);
        const wait = this.#pausedUntil - performance.now();
        if (wait > 0) await sleep(wait);
        try {
          return await send();
        } finally {
          this.#giveBackLater(credits);
        }
      });
    } finally {
      if (!started) this.#setWaiting(-1);
    }
  }

  /** The provider reports no credit left (api-credits-left: 0, or a 429): send nothing for a full window. */
  pauseForWindow(): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + this.#windowMs + RETURN_MARGIN_MS);
  }

  #giveBackLater(credits: number): void {
    const timer = setTimeout(() => {
      this.#giveBacks.delete(timer);
      void this.#giveBack(credits);
    }, this.#windowMs + RETURN_MARGIN_MS);
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
