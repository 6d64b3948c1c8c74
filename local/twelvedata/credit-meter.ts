/** How the emulator reads "credits per minute". The provider does not document it; rolling is the stricter. */
export const WindowMode = { rolling: "rolling", calendar: "calendar" } as const;
export type WindowMode = (typeof WindowMode)[keyof typeof WindowMode];

export interface CreditMeterOptions {
  perWindow: number;
  /** null: no daily cap. */
  perDay: number | null;
  windowMs: number;
  mode: WindowMode;
}

export type ChargeResult =
  | { ok: true }
  | {
      ok: false;
      scope: "minute" | "day" /** Including the rejected request, as the provider reports it. */;
      used: number;
      limit: number;
    };

/** Who spent: this emulator's client, or another program on the same key (other-consumer.ts). */
export type Spender = "client" | "other";

export interface Spend {
  at: number;
  credits: number;
  by: Spender;
}

/**
 * The provider's credit accounting: a per-window cap (rolling or calendar-aligned) and a per-UTC-day cap.
 * A rejected request spends nothing: otherwise a client that keeps retrying would stay locked out forever,
 * and a client that backs off correctly could never tell its own spends from the penalty.
 */
export class CreditMeter {
  readonly #options: CreditMeterOptions;
  /** Accepted spends still inside the last window; older ones are never needed again. */
  #recent: Spend[] = [];
  #day = "";
  #dayUsed = 0;
  #maxInWindow = 0;

  constructor(options: CreditMeterOptions) {
    this.#options = options;
  }

  get perWindow(): number {
    return this.#options.perWindow;
  }

  get perDay(): number | null {
    return this.#options.perDay;
  }

  /** Checks both caps and, when both allow it, records the spend (`now` never before an earlier charge's). */
  charge(credits: number, now: number, by: Spender = "client"): ChargeResult {
    const windowUsed = this.windowUsed(now);
    if (windowUsed + credits > this.#options.perWindow)
      return { ok: false, scope: "minute", used: windowUsed + credits, limit: this.#options.perWindow };
    const dayUsed = this.dayUsed(now);
    const perDay = this.#options.perDay;
    if (perDay !== null && dayUsed + credits > perDay)
      return { ok: false, scope: "day", used: dayUsed + credits, limit: perDay };
    this.#recent.push({ at: now, credits, by });
    this.#dayUsed += credits;
    this.#maxInWindow = Math.max(this.#maxInWindow, this.#rollingSum(now));
    return { ok: true };
  }

  /** Credits counted against the current window, as the limit check sees them (only `by`'s, when given). */
  windowUsed(now: number, by?: Spender): number {
    this.#prune(now);
    const rolling = this.#options.mode === WindowMode.rolling;
    const start = Math.floor(now / this.#options.windowMs) * this.#options.windowMs;
    const from = now - this.#options.windowMs;
    return this.#recent
      .filter((s) => (rolling ? s.at > from : s.at >= start) && s.at <= now && (by === undefined || s.by === by))
      .reduce((sum, s) => sum + s.credits, 0);
  }

  get windowMs(): number {
    return this.#options.windowMs;
  }

  get mode(): WindowMode {
    return this.#options.mode;
  }

  /** The spends still inside the last window, oldest first: when their credits come free. */
  recentSpends(): readonly Spend[] {
    return this.#recent;
  }

  dayUsed(now: number): number {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.#day) {
      this.#day = day;
      this.#dayUsed = 0;
    }
    return this.#dayUsed;
  }

  /** The most credits accepted within any rolling window since the last reset, whatever the mode. */
  get maxCreditsInAnyWindow(): number {
    return this.#maxInWindow;
  }

  resetMax(): void {
    this.#maxInWindow = 0;
  }

  #rollingSum(now: number): number {
    const from = now - this.#options.windowMs;
    return this.#recent.filter((s) => s.at > from && s.at <= now).reduce((sum, s) => sum + s.credits, 0);
  }

  #prune(now: number): void {
    const from = now - this.#options.windowMs;
    const oldest = this.#recent[0];
    if (oldest !== undefined && oldest.at <= from) this.#recent = this.#recent.filter((s) => s.at > from);
  }
}
