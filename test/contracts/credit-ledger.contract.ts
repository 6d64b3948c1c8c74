import { describe, expect, it } from "vitest";
import { lateReservationMs } from "../../app/adapters/dynamodb/credit-grid.ts";
import { SHARED_LOOKAHEAD_SLOTS } from "../../app/adapters/dynamodb/key-share.ts";
import type { CreditLedger, ReserveOutcome, SlotReservation } from "../../app/pipeline/ports.ts";
import { raceOrSerial } from "./races.ts";

/** A 1 s window with a 100 ms margin: slots of 1.1 s. */
export const W = 1_000;
export const M = 100;
const L = W + M;
const C = 8;
const T0 = Date.parse("2025-03-04T12:00:00Z");
const HORIZON = 10 * L;

export interface LedgerOptions {
  creditsPerSlot: number;
  creditsPerDay: number | null;
  windowMs: number;
  marginMs: number;
}

/** A fresh provider account; each call of the result is one more worker's ledger on that same account. */
export type NewAccount = (options: LedgerOptions) => Promise<() => CreditLedger>;

function reservation(outcome: ReserveOutcome): SlotReservation {
  if (outcome.kind !== "reserved") throw new Error(`expected a reservation, got ${JSON.stringify(outcome)}`);
  return outcome.reservation;
}

/**
 * The CreditLedger port's contract, run against the DynamoDB ledger (dynalite, moto) and the simulation's
 * in-memory ledger: reservations per slot and day, the spend gate, and closing a day the provider says is spent.
 */
export function creditLedgerContract(
  newAccount: NewAccount,
  options: {
    /**
     * Whether racing conditional writes to one item are serialized, as DynamoDB guarantees. moto_server checks a
     * condition and writes without a lock, so there the racing reservers run one after the other. @default true
     */
    serializesRaces?: boolean;
  } = {},
): void {
  const race = raceOrSerial(options.serializesRaces);
  const account = (day: number | null = null) =>
    newAccount({ creditsPerSlot: C, creditsPerDay: day, windowMs: W, marginMs: M });

  describe("reserve and release", () => {
    it("starts an idle account's first slot at once, and takes the next slot when one has no room", async () => {
      const l = (await account())();

      const first = await l.reserve(6, T0, HORIZON);
      const next = await l.reserve(3, T0 + 10, HORIZON);

      expect(first).toEqual({ kind: "reserved", reservation: { slotStart: T0, credits: 6 } });
      expect(reservation(next).slotStart).toBe(T0 + L);
    });

    it("still uses a slot that started up to lateReservationMs ago, and not later (a session's first slot fills)", async () => {
      const l = (await account())();
      await l.reserve(8, T0, HORIZON);
      await l.reserve(2, T0, HORIZON);

      const late = lateReservationMs(W, M);
      const stillInTime = await l.reserve(2, T0 + L + late, HORIZON);
      const tooLate = await l.reserve(2, T0 + L + late + 1, HORIZON);

      expect(late).toBeGreaterThan(M);
      expect(reservation(stillInTime).slotStart).toBe(T0 + L);
      expect(reservation(tooLate).slotStart).toBe(T0 + 2 * L);
    });

    it("never puts more than C credits in a slot under 20 concurrent reservers", async () => {
      const worker = await account();
      const workers = Array.from({ length: 20 }, worker);
      const reserveAll = workers.map((l, i) => () => l.reserve(3, T0 + (i % 3), HORIZON));

      const outcomes = await race(reserveAll);

      const bySlot = new Map<number, number>();
      for (const r of outcomes.map(reservation)) bySlot.set(r.slotStart, (bySlot.get(r.slotStart) ?? 0) + r.credits);
      expect([...bySlot.values()].every((credits) => credits <= C)).toBe(true);
      expect([...bySlot.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, k) => T0 + k * L));
    });

    it("answers horizon_full with the time the horizon reaches the next slot, and re-anchors an idle grid", async () => {
      const l = (await account())();
      const horizon = 2 * L;
      for (let i = 0; i < 3; i++) await l.reserve(8, T0, horizon);

      const full = await l.reserve(1, T0, horizon);
      const later = T0 + 4 * L + 17;
      const idle = await l.reserve(8, later, HORIZON);

      expect(full).toEqual({ kind: "horizon_full", retryAt: T0 + 3 * L - horizon });
      expect(reservation(idle).slotStart).toBe(later);
    });

    it("refuses more credits than a slot holds", async () => {
      const l = (await account())();

      await expect(l.reserve(C + 1, T0, HORIZON)).rejects.toBeInstanceOf(RangeError);
    });

    it("makes released credits available again, and gives back nothing twice", async () => {
      const l = (await account())();
      const first = reservation(await l.reserve(5, T0, HORIZON));
      await l.reserve(3, T0, HORIZON);

      await l.release(first);
      await l.release(first);

      expect(reservation(await l.reserve(5, T0 + 20, HORIZON)).slotStart).toBe(T0);
      expect(reservation(await l.reserve(1, T0 + 20, HORIZON)).slotStart).toBe(T0 + L);
    });
  });

  describe("the daily cap", () => {
    it("answers day_exhausted with the next UTC midnight, and still reserves what the day has left", async () => {
      const l = (await account(10))();
      await l.reserve(8, T0, HORIZON);

      const exhausted = await l.reserve(4, T0, HORIZON);
      const left = await l.reserve(2, T0, HORIZON);

      expect(exhausted).toEqual({ kind: "day_exhausted", resumeAt: Date.parse("2025-03-05T00:00:00Z") });
      expect(reservation(left)).toEqual({ slotStart: T0 + L, credits: 2 });
    });

    it("gives released credits back to the day", async () => {
      const l = (await account(10))();
      const r = reservation(await l.reserve(8, T0, HORIZON));

      await l.release(r);

      expect(reservation(await l.reserve(8, T0, HORIZON)).credits).toBe(8);
    });

    it("closes a day the provider says is spent, for every worker of the account, and only that day", async () => {
      const worker = await account(800);
      await worker().reserve(1, T0, HORIZON);

      await worker().closeDay(T0);

      expect((await worker().reserve(1, T0 + 5, HORIZON)).kind).toBe("day_exhausted");
      const tomorrow = Date.parse("2025-03-05T00:00:01Z");
      expect((await worker().reserve(1, tomorrow, HORIZON)).kind).toBe("reserved");
    });

    it("does nothing to close a day on a plan without a daily cap", async () => {
      const l = (await account(null))();

      await l.closeDay(T0);

      expect((await l.reserve(8, T0, HORIZON)).kind).toBe("reserved");
    });
  });

  describe("the spend gate", () => {
    const slot = (k: number, credits = 8): SlotReservation => ({ slotStart: T0 + k * L, credits });

    it("grants the first spend, and holds the next slot's until W + 3m/4 after the spend of the slot before", async () => {
      const l = (await account())();

      const first = await l.spend(slot(0), T0 + 30);
      const early = await l.spend(slot(1), T0 + 30 + W);
      const onTime = await l.spend(slot(1), T0 + 30 + W + (3 * M) / 4);

      expect(first).toMatchObject({ kind: "granted" });
      expect(early).toEqual({ kind: "wait", at: T0 + 30 + W + (3 * M) / 4 });
      expect(onTime).toMatchObject({ kind: "granted" });
    });

    it("makes a late batch of an earlier slot wait for room rather than refusing it", async () => {
      const l = (await account())();
      await l.spend(slot(0), T0);
      await l.spend(slot(1), T0 + L);

      expect(await l.spend(slot(0), T0 + L + 1)).toEqual({ kind: "wait", at: T0 + L + W + (3 * M) / 4 });
    });

    it("lets each batch of the next slot follow its own predecessor of the slot before", async () => {
      const l = (await account())();
      await l.spend(slot(0, 4), T0);
      await l.spend(slot(0, 4), T0 + 500);
      const spacing = W + (3 * M) / 4;

      expect(await l.spend(slot(1, 4), T0 + spacing)).toMatchObject({ kind: "granted" });
      expect(await l.spend(slot(1, 4), T0 + spacing + 1)).toEqual({ kind: "wait", at: T0 + 500 + spacing });
    });

    it("keeps another consumer's share free: the capacity it is asked under", async () => {
      const l = (await account())();
      await l.spend(slot(0, 5), T0);

      expect(await l.spend(slot(0, 3), T0 + 10, 5)).toEqual({ kind: "wait", at: T0 + W + (3 * M) / 4 });
      expect(await l.spend(slot(0, 3), T0 + 10, 8)).toMatchObject({ kind: "granted" });
    });

    it("spaces later spends from when a late spend's request left (settle)", async () => {
      const l = (await account())();
      await l.spend(slot(0), T0);

      await l.settle(slot(0), T0, T0 + 400);

      expect(await l.spend(slot(1), T0 + W + (3 * M) / 4)).toEqual({ kind: "wait", at: T0 + 400 + W + (3 * M) / 4 });
    });

    it("holds nothing back for a grant withdrawn, whose request never left", async () => {
      const l = (await account())();
      await l.spend(slot(0), T0);

      await l.withdraw(slot(0), T0);
      await l.withdraw(slot(0), T0);

      expect(await l.spend(slot(0), T0 + 10)).toMatchObject({ kind: "granted" });
      expect(await l.spend(slot(1), T0 + W + (3 * M) / 4)).toEqual({ kind: "wait", at: T0 + 10 + W + (3 * M) / 4 });
    });
  });

  describe("a key shared with another consumer", () => {
    it("shrinks the plan by what a refusal went past the limit, for every worker, and splits a batch over the room", async () => {
      const worker = await account(800);
      const pump = worker();
      await worker().observe({ others: 3, overflow: 3 }, T0);

      expect(await pump.usage(T0)).toEqual({ creditsPerSlot: C, takenByOthers: 3, dayUsed: 0 });
      const first = reservation(await pump.reserve(8, T0, HORIZON));
      const second = reservation(await pump.reserve(4, T0, HORIZON));
      const third = reservation(await pump.reserve(8, T0, HORIZON));

      expect(first).toEqual({ slotStart: T0, credits: 5 });
      expect(second).toEqual({ slotStart: T0 + L, credits: 4 });
      // The rest of slot 1's room, rather than a slot of its own.
      expect(third).toEqual({ slotStart: T0 + L, credits: 1 });
      expect(await pump.usage(T0, T0 + L)).toEqual({
        creditsPerSlot: C,
        takenByOthers: 3,
        dayUsed: 10,
        slotReserved: 5,
      });
    });

    it("grows the plan back when a served request shows the other holds less, or once it went quiet", async () => {
      const worker = await account();
      const l = worker();
      await l.observe({ others: 3, overflow: 3 }, T0);

      await l.observe({ others: 1, overflow: 0 }, T0 + W);
      expect((await worker().usage(T0 + W)).takenByOthers).toBe(1);
      // An older observation never replaces a newer one.
      await l.observe({ others: 3, overflow: 5 }, T0);
      expect((await l.usage(T0 + W)).takenByOthers).toBe(1);
      // A refusal adds what it went past the limit; quiet, the share is held two windows, then forgotten.
      await l.observe({ others: 4, overflow: 3 }, T0 + 2 * W);
      expect((await l.usage(T0 + 4 * W - 1)).takenByOthers).toBe(4);
      expect((await l.usage(T0 + 4 * W)).takenByOthers).toBe(0);
    });

    it("reserves nothing while the other takes the whole plan, and says when to look again", async () => {
      const l = (await account())();
      await l.observe({ others: 8, overflow: 8 }, T0);

      expect(await l.reserve(2, T0, HORIZON)).toEqual({ kind: "horizon_full", retryAt: T0 + L });
    });

    it("refunds to the day what the provider did not charge, never below zero, and leaves the slot as it is", async () => {
      const l = (await account(800))();
      const r = reservation(await l.reserve(8, T0, HORIZON));

      await l.refund({ ...r, credits: 3 });
      await l.refund({ ...r, credits: 30 });

      expect(await l.usage(T0, T0)).toMatchObject({ dayUsed: 5, slotReserved: 8 });
    });

    it("reserves no further than a few slots ahead while the plan is shrunk, so a batch is not held to it later", async () => {
      const l = (await account())();
      await l.observe({ others: 3, overflow: 3 }, T0);
      for (let k = 0; k < SHARED_LOOKAHEAD_SLOTS + 1; k++) await l.reserve(5, T0, HORIZON);

      const beyond = await l.reserve(5, T0, HORIZON);

      // The look-ahead moves on when the next slot starts.
      expect(beyond).toEqual({ kind: "horizon_full", retryAt: T0 + L });
    });
  });
}
