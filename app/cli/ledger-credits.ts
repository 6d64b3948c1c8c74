import type { KeyUsage } from "../domain/ports.ts";
import type { CreditLedger, SlotReservation } from "../pipeline/ports.ts";

/** The UTC day's credits of the key are reserved or spent: nothing more can be requested before `resumeAt`. */
export class DayCreditsSpentError extends Error {
  override name = "DayCreditsSpentError";
  readonly resumeAt: number;

  constructor(resumeAt: number) {
    super(
      `the provider key's credits for the UTC day are spent; they come back at ${new Date(resumeAt).toISOString()}`,
    );
    this.resumeAt = resumeAt;
  }
}

export interface LedgerCreditsOptions {
  ledger: CreditLedger;
  /** How far ahead a slot may be reserved. @default 900000 (the pump's: SQS's longest delay) */
  horizonMs?: number;
  /** Longest wait at the spend gate before the slot is given up and another reserved. */
  maxSpendWaitMs: number;
  /** @default Date.now */
  clock?: () => number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Told when the next free slot is further than the horizon (sessions hold every slot until then). */
  onWait?: (until: number) => void;
}

const DAY_MS = 86_400_000;

/**
 * A `dq check`'s credits taken from a stack's credit ledger exactly as a session's batches take them: a slot reserved
 * before anything is spent (at most the plan per slot and per UTC day, with every session of the key), then the
 * spend gate right before the request, then the request's end settled. So a check and the sessions running on the
 * same key never spend more than the plan together, under the rolling reading of the provider's minute.
 */
export class LedgerCredits {
  readonly #ledger: CreditLedger;
  /** When each slot's spend was granted, for its settle. */
  readonly #granted = new Map<number, number>();
  readonly #horizonMs: number;
  readonly #maxSpendWaitMs: number;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onWait: ((until: number) => void) | undefined;

  constructor(options: LedgerCreditsOptions) {
    this.#ledger = options.ledger;
    this.#horizonMs = options.horizonMs ?? 900_000;
    this.#maxSpendWaitMs = options.maxSpendWaitMs;
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#onWait = options.onWait;
  }

  /** Reserves `credits` in the earliest slot with room and waits for its start. Throws DayCreditsSpentError. */
  async reserve(credits: number): Promise<SlotReservation> {
    for (;;) {
      const outcome = await this.#ledger.reserve(credits, this.#clock(), this.#horizonMs);
      if (outcome.kind === "day_exhausted") throw new DayCreditsSpentError(outcome.resumeAt);
      if (outcome.kind === "horizon_full") {
        this.#onWait?.(outcome.retryAt);
        await this.#sleep(Math.max(1, outcome.retryAt - this.#clock()));
        continue;
      }
      const { reservation } = outcome;
      const wait = reservation.slotStart - this.#clock();
      if (wait > 0) await this.#sleep(wait);
      return reservation;
    }
  }

  /**
   * The spend gate, right before the request of `credits` (no more than reserved): true when the request may go;
   * false when the slot is past or the UTC day changed, and the credits must be released and reserved again.
   */
  async spend(reservation: SlotReservation, credits: number): Promise<boolean> {
    const deadline = this.#clock() + this.#maxSpendWaitMs;
    const spend = { slotStart: reservation.slotStart, credits };
    for (;;) {
      // Reserved against the slot's UTC day; spent on another day they would count against a day that never saw them.
      if (Math.floor(this.#clock() / DAY_MS) !== Math.floor(reservation.slotStart / DAY_MS)) return false;
      const outcome = await this.#ledger.spend(spend, this.#clock);
      if (outcome.kind === "granted") {
        this.#granted.set(reservation.slotStart, outcome.at);
        return true;
      }
      if (outcome.kind === "expired" || outcome.at > deadline) return false;
      await this.#sleep(Math.max(1, outcome.at - this.#clock()));
    }
  }

  /**
   * When the request is over, whatever its outcome: its record moves to now, the latest it can have left (this
   * client does not hear when it left), and later slots keep a window from it.
   */
  async settle(reservation: SlotReservation): Promise<void> {
    const grantedAt = this.#granted.get(reservation.slotStart);
    this.#granted.delete(reservation.slotStart);
    if (grantedAt !== undefined) await this.#ledger.settle(reservation, grantedAt, this.#clock());
  }

  /** The provider says the key's day is spent (another program took it): the stack's sessions pause too. */
  closeDay(): Promise<void> {
    return this.#ledger.closeDay(this.#clock());
  }

  /** Credits requested but not charged (a 429, refused symbols): back to the day's count, the slot keeps them. */
  async refund(reservation: SlotReservation, credits: number): Promise<void> {
    if (credits > 0) await this.#ledger.refund({ slotStart: reservation.slotStart, credits });
  }

  /** What the provider said of the key's window: the ledger's plan follows another consumer's share. */
  observe(usage: Pick<KeyUsage, "others" | "overflow">): Promise<void> {
    return this.#ledger.observe(usage, this.#clock());
  }

  /** Gives back credits reserved but not spent (a slot that expired, symbols the datalake could not read). */
  async release(reservation: SlotReservation, credits = reservation.credits): Promise<void> {
    if (credits > 0) await this.#ledger.release({ slotStart: reservation.slotStart, credits });
  }
}
