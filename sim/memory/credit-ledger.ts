import {
  firstUsableSlot,
  type Grid,
  isIdle,
  lateReservationMs,
  nextUtcMidnight,
  slotStartOf,
  utcDay,
} from "../../app/adapters/dynamodb/credit-grid.ts";
import {
  type KeyShare,
  lastSlot,
  nextShare,
  planAt,
  retryWhenFull,
  takenAt,
} from "../../app/adapters/dynamodb/key-share.ts";
import { decideSpend, type GateState, settleSpend, withdrawSpend } from "../../app/adapters/dynamodb/spend-gate.ts";
import type {
  CreditLedger,
  LedgerUsage,
  ReserveOutcome,
  SlotReservation,
  SpendOutcome,
} from "../../app/pipeline/ports.ts";
import { spendMargins } from "../../app/pipeline/spend-margins.ts";

export interface MemoryCreditLedgerOptions {
  creditsPerSlot: number;
  creditsPerDay: number | null;
  windowMs: number;
  marginMs: number;
}

/**
 * The credit ledger of one provider account in memory: the same grid, slot and day counts and spend gate as the
 * DynamoDB ledger (the same pure functions decide), each call applied at once. What the simulation's invariants
 * read: the day counts, to compare with what the provider charged.
 */
export class MemoryCreditLedger implements CreditLedger {
  readonly #perSlot: number;
  readonly #perDay: number | null;
  readonly #windowMs: number;
  readonly #marginMs: number;
  readonly #slotMs: number;
  #grid: Grid | undefined;
  #gate: GateState | undefined;
  #share: KeyShare | undefined;
  readonly #slots = new Map<number, number>();
  readonly #days = new Map<string, number>();

  constructor(options: MemoryCreditLedgerOptions) {
    if (!Number.isInteger(options.creditsPerSlot) || options.creditsPerSlot < 1)
      throw new RangeError(`creditsPerSlot must be a positive integer, not ${options.creditsPerSlot}`);
    this.#perSlot = options.creditsPerSlot;
    this.#perDay = options.creditsPerDay;
    this.#windowMs = options.windowMs;
    this.#marginMs = options.marginMs;
    this.#slotMs = options.windowMs + options.marginMs;
  }

  async reserve(credits: number, now: number, horizonMs: number): Promise<ReserveOutcome> {
    if (!Number.isInteger(credits) || credits < 1 || credits > this.#perSlot)
      throw new RangeError(`cannot reserve ${credits} credits: a slot holds 1 to ${this.#perSlot}`);
    const plan = planAt(this.#share, now, this.#perSlot, this.#windowMs);
    if (plan === 0) return { kind: "horizon_full", retryAt: now + this.#slotMs };
    if (this.#grid === undefined || isIdle(this.#grid, now, this.#slotMs)) this.#grid = { anchor: now, lastSlot: 0 };
    const grid = this.#grid;
    const first = firstUsableSlot(grid, now, this.#slotMs, lateReservationMs(this.#windowMs, this.#marginMs));
    const last = lastSlot(grid, now, horizonMs, this.#slotMs, first, plan < this.#perSlot);
    for (let slot = first; slot <= last; slot++) {
      const slotStart = slotStartOf(grid, slot, this.#slotMs);
      const room = plan - (this.#slots.get(slotStart) ?? 0);
      // Whole into a slot with room; split over the slots' room while another consumer holds part of the plan.
      const took = plan < this.#perSlot ? Math.min(credits, room) : credits <= room ? credits : 0;
      if (took < 1) continue;
      const day = utcDay(slotStart);
      if (this.#perDay !== null && (this.#days.get(day) ?? 0) + took > this.#perDay)
        return { kind: "day_exhausted", resumeAt: nextUtcMidnight(slotStart) };
      this.#slots.set(slotStart, (this.#slots.get(slotStart) ?? 0) + took);
      if (this.#perDay !== null) this.#days.set(day, (this.#days.get(day) ?? 0) + took);
      if (slot > grid.lastSlot) grid.lastSlot = slot;
      return { kind: "reserved", reservation: { slotStart, credits: took } };
    }
    const retryAt = retryWhenFull(grid, first, last, this.#slotMs, horizonMs, plan < this.#perSlot);
    return { kind: "horizon_full", retryAt };
  }

  async release(reservation: SlotReservation): Promise<void> {
    giveBack(this.#slots, reservation.slotStart, reservation.credits);
    if (this.#perDay !== null) giveBack(this.#days, utcDay(reservation.slotStart), reservation.credits);
  }

  async refund(reservation: SlotReservation): Promise<void> {
    if (this.#perDay !== null) giveBack(this.#days, utcDay(reservation.slotStart), reservation.credits);
  }

  async observe(usage: { others: number; overflow: number }, at: number): Promise<void> {
    this.#share = nextShare(this.#share, usage, at, this.#perSlot, this.#windowMs) ?? this.#share;
  }

  async usage(at: number, slotStart?: number): Promise<LedgerUsage> {
    return {
      creditsPerSlot: this.#perSlot,
      takenByOthers: takenAt(this.#share, at, this.#windowMs),
      dayUsed: this.#perDay === null ? null : (this.#days.get(utcDay(at)) ?? 0),
      ...(slotStart === undefined ? {} : { slotReserved: this.#slots.get(slotStart) ?? 0 }),
    };
  }

  async closeDay(at: number): Promise<void> {
    if (this.#perDay !== null) this.#days.set(utcDay(at), Math.max(this.#days.get(utcDay(at)) ?? 0, this.#perDay));
  }

  async spend(
    reservation: SlotReservation,
    now: number | (() => number),
    capacity = this.#perSlot,
    replacing?: number,
  ): Promise<SpendOutcome> {
    const spacingMs = this.#windowMs + spendMargins(this.#marginMs).gateMs;
    const at = typeof now === "function" ? now() : now;
    const decision = decideSpend(this.#gate, reservation.credits, at, spacingMs, capacity, replacing);
    if (decision.next !== undefined) this.#gate = decision.next;
    return decision.outcome;
  }

  async settle(reservation: SlotReservation, grantedAt: number, sentAt: number): Promise<void> {
    if (this.#gate === undefined) return;
    const next = settleSpend(this.#gate, grantedAt, reservation.credits, sentAt);
    if (next !== undefined) this.#gate = next;
  }

  async withdraw(reservation: SlotReservation, grantedAt: number): Promise<void> {
    if (this.#gate === undefined) return;
    const next = withdrawSpend(this.#gate, grantedAt, reservation.credits);
    if (next !== undefined) this.#gate = next;
  }

  /** Credits reserved per UTC day (yyyy-mm-dd). */
  dayCounts(): ReadonlyMap<string, number> {
    return this.#days;
  }
}

/** Never below zero: a double release gives back nothing the second time (the DynamoDB ledger's condition). */
function giveBack<K>(counts: Map<K, number>, key: K, credits: number): void {
  const used = counts.get(key);
  if (used !== undefined && used >= credits) counts.set(key, used - credits);
}
