import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lateReservationMs } from "../../../app/adapters/dynamodb/credit-grid.ts";
import { DynamoCreditLedger, type DynamoCreditLedgerOptions } from "../../../app/adapters/dynamodb/credit-ledger.ts";
import type { ReserveOutcome, SlotReservation } from "../../../app/pipeline/ports.ts";
import { type LocalDynamo, startLocalDynamo } from "../../helpers/local-dynamo.ts";

/** A 1 s window with a 100 ms margin: slots of 1.1 s. */
const W = 1_000;
const M = 100;
const L = W + M;
const C = 8;
const T0 = Date.parse("2025-03-04T12:00:00Z");
const HORIZON = 10 * L;

describe("DynamoCreditLedger", () => {
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  /** `count` ledgers (workers) on one fresh table and account. */
  async function ledgers(count: number, options: Partial<DynamoCreditLedgerOptions> = {}) {
    const tableName = await dynamo.table();
    const make = () =>
      new DynamoCreditLedger({
        client: dynamo.documents,
        tableName,
        account: "acct1",
        creditsPerSlot: C,
        creditsPerDay: null,
        windowMs: W,
        marginMs: M,
        ...options,
      });
    return { tableName, all: Array.from({ length: count }, make) };
  }

  async function ledger(options: Partial<DynamoCreditLedgerOptions> = {}) {
    const { tableName, all } = await ledgers(1, options);
    return { tableName, ledger: all[0] as DynamoCreditLedger };
  }

  function reservation(outcome: ReserveOutcome): SlotReservation {
    if (outcome.kind !== "reserved") throw new Error(`expected a reservation, got ${JSON.stringify(outcome)}`);
    return outcome.reservation;
  }

  async function used(tableName: string, sk: string): Promise<number | undefined> {
    const { Item } = await dynamo.documents.send(
      new GetCommand({ TableName: tableName, Key: { PK: "LEDGER#acct1", SK: sk }, ConsistentRead: true }),
    );
    return Item?.used as number | undefined;
  }

  describe("reserve", () => {
    it("starts an idle account's first slot at once", async () => {
      const { ledger: l } = await ledger();

      const outcome = await l.reserve(8, T0, HORIZON);

      expect(outcome).toEqual({ kind: "reserved", reservation: { slotStart: T0, credits: 8 } });
    });

    it("takes the next slot when the current one has no room", async () => {
      const { ledger: l } = await ledger();
      await l.reserve(6, T0, HORIZON);

      const outcome = await l.reserve(3, T0 + 10, HORIZON);

      expect(reservation(outcome).slotStart).toBe(T0 + L);
    });

    it("still uses a slot that started up to lateReservationMs ago, and not later (a session's first slot fills)", async () => {
      const { ledger: l } = await ledger();
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
      const { tableName, all } = await ledgers(20);

      const outcomes = await Promise.all(all.map((l, i) => l.reserve(3, T0 + (i % 3), HORIZON)));

      const bySlot = new Map<number, number>();
      for (const r of outcomes.map(reservation)) bySlot.set(r.slotStart, (bySlot.get(r.slotStart) ?? 0) + r.credits);
      expect([...bySlot.values()].every((credits) => credits <= C)).toBe(true);
      for (const [slotStart, credits] of bySlot) expect(await used(tableName, `MIN#${slotStart}`)).toBe(credits);
      expect([...bySlot.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, k) => T0 + k * L));
    });

    it("answers horizon_full with the time the horizon reaches the next slot", async () => {
      const { ledger: l } = await ledger();
      const horizon = 2 * L;
      for (let i = 0; i < 3; i++) await l.reserve(8, T0, horizon);

      const outcome = await l.reserve(1, T0, horizon);

      expect(outcome).toEqual({ kind: "horizon_full", retryAt: T0 + 3 * L - horizon });
    });

    it("re-anchors an idle account's grid at now", async () => {
      const { ledger: l } = await ledger();
      await l.reserve(8, T0, HORIZON);
      const later = T0 + 3 * L + 17;

      const outcome = await l.reserve(8, later, HORIZON);

      expect(reservation(outcome).slotStart).toBe(later);
    });

    it("keeps the grid while a reserved slot has not ended", async () => {
      const { ledger: l } = await ledger();
      await l.reserve(8, T0, HORIZON);
      await l.reserve(8, T0, HORIZON);

      const outcome = await l.reserve(8, T0 + L + 500, HORIZON);

      expect(reservation(outcome).slotStart).toBe(T0 + 2 * L);
    });

    it("re-anchors once when reservers race on an idle account", async () => {
      const { all } = await ledgers(5);

      const outcomes = await Promise.all(all.map((l, i) => l.reserve(1, T0 + i, HORIZON)));

      expect(new Set(outcomes.map((o) => reservation(o).slotStart)).size).toBe(1);
    });

    it("refuses more credits than a slot holds", async () => {
      const { ledger: l } = await ledger();

      await expect(l.reserve(C + 1, T0, HORIZON)).rejects.toBeInstanceOf(RangeError);
    });
  });

  describe("daily cap", () => {
    it("answers day_exhausted with the next UTC midnight and gives the slot back", async () => {
      const { tableName, ledger: l } = await ledger({ creditsPerDay: 10 });
      await l.reserve(8, T0, HORIZON);

      const outcome = await l.reserve(4, T0, HORIZON);

      expect(outcome).toEqual({ kind: "day_exhausted", resumeAt: Date.parse("2025-03-05T00:00:00Z") });
      expect(await used(tableName, `MIN#${T0 + L}`)).toBe(0);
      expect(await used(tableName, "DAY#2025-03-04")).toBe(8);
    });

    it("still reserves what the day has left", async () => {
      const { ledger: l } = await ledger({ creditsPerDay: 10 });
      await l.reserve(8, T0, HORIZON);
      await l.reserve(4, T0, HORIZON);

      const outcome = await l.reserve(2, T0, HORIZON);

      expect(reservation(outcome)).toEqual({ slotStart: T0 + L, credits: 2 });
    });
  });

  describe("release", () => {
    it("gives the credits back to the slot and the day", async () => {
      const { tableName, ledger: l } = await ledger({ creditsPerDay: 100 });
      const r = reservation(await l.reserve(5, T0, HORIZON));

      await l.release(r);

      expect(await used(tableName, `MIN#${T0}`)).toBe(0);
      expect(await used(tableName, "DAY#2025-03-04")).toBe(0);
    });

    it("makes a released slot available again, to the same reserver too", async () => {
      const { ledger: l } = await ledger();
      const first = reservation(await l.reserve(8, T0, HORIZON));
      await l.reserve(8, T0, HORIZON);
      await l.release(first);

      const outcome = await l.reserve(8, T0 + 20, HORIZON);

      expect(reservation(outcome).slotStart).toBe(T0);
    });

    it("gives back nothing twice", async () => {
      const { tableName, ledger: l } = await ledger();
      const r = reservation(await l.reserve(5, T0, HORIZON));
      await l.reserve(3, T0, HORIZON);

      await l.release(r);
      await l.release(r);

      expect(await used(tableName, `MIN#${T0}`)).toBe(3);
    });
  });

  describe("spend gate", () => {
    const slot = (k: number, credits = 8): SlotReservation => ({ slotStart: T0 + k * L, credits });

    it("grants the first spend", async () => {
      const { ledger: l } = await ledger();

      expect(await l.spend(slot(0), T0)).toMatchObject({ kind: "granted" });
    });

    it("holds the next slot's spend until W + 3m/4 after the last spend of the slot before", async () => {
      const { ledger: l } = await ledger();
      await l.spend(slot(0), T0 + 30);

      const early = await l.spend(slot(1), T0 + 30 + W);
      const onTime = await l.spend(slot(1), T0 + 30 + W + (3 * M) / 4);

      expect(early).toEqual({ kind: "wait", at: T0 + 30 + W + (3 * M) / 4 });
      expect(onTime).toMatchObject({ kind: "granted" });
    });

    it("grants concurrent spenders of one slot up to the plan, and holds the next slot's until room comes back", async () => {
      const { all } = await ledgers(20);

      const outcomes = await Promise.all(all.map((l, i) => l.spend(slot(0, 1), T0 + 5 * i)));
      const next = await (all[0] as DynamoCreditLedger).spend(slot(1), T0 + 95 + W);

      // Eight of the twenty single credits fit the plan's 8; the others wait for the first to leave the spacing.
      expect(outcomes.filter((o) => o.kind === "granted")).toHaveLength(C);
      expect(next.kind).toBe("wait");
    });

    it("lets racing spenders through no further than the plan", async () => {
      const { all } = await ledgers(10);
      await (all[0] as DynamoCreditLedger).spend(slot(0), T0);
      const at = T0 + W + (3 * M) / 4;

      const outcomes = await Promise.all(all.map((l, i) => l.spend(slot(1 + (i % 2), 4), at + i)));

      expect(outcomes.filter((o) => o.kind === "granted")).toHaveLength(2);
    });

    it("records a spend that lost races at the clock of the attempt that won, and says when", async () => {
      const { tableName, all } = await ledgers(8);
      let tick = T0;
      const readings = all.map(() => [] as number[]);

      // Eight workers at once, one credit each: all fit, and a worker that loses a race reads its clock again.
      const outcomes = await Promise.all(
        all.map((l, i) =>
          l.spend(slot(0, 1), () => {
            tick += 3;
            readings[i]?.push(tick);
            return tick;
          }),
        ),
      );

      const { Item } = await dynamo.documents.send(
        new GetCommand({ TableName: tableName, Key: { PK: "LEDGER#acct1", SK: "GATE" }, ConsistentRead: true }),
      );
      const recorded = ((Item?.spends ?? []) as [number, number][]).map(([at]) => at);
      expect(outcomes.map((o) => o.kind)).toEqual(Array(8).fill("granted"));
      expect(outcomes.map((o) => (o.kind === "granted" ? o.at : undefined))).toEqual(readings.map((r) => r.at(-1)));
      expect(recorded.sort()).toEqual(readings.map((r) => r.at(-1)).sort());
    });
  });

  it("never spends more than C credits in any rolling W interval (simulation of 200 batches)", async () => {
    const { all } = await ledgers(3);
    const random = mulberry32(20250304);
    const pick = () => all[Math.floor(random() * all.length)] as DynamoCreditLedger;
    const credits = Array.from({ length: 200 }, () => 1 + Math.floor(random() * C));
    // Batches arrive over 20 s; a pump reserves for the pending ones in order, as the pipeline's pump does.
    type Event =
      | { at: number; kind: "arrive"; batch: number }
      | { at: number; kind: "pump" }
      | { at: number; kind: "spend"; batch: number; reservation: SlotReservation };
    const events: Event[] = credits.map((_, batch) => ({
      at: T0 + Math.floor(random() * 20_000),
      kind: "arrive",
      batch,
    }));
    const pending: number[] = [];
    const spends: { at: number; credits: number; batch: number; slotStart: number }[] = [];
    const reservedPerSlot = new Map<number, number>();

    for (let steps = 0; events.length > 0 && steps < 5_000; steps++) {
      events.sort((a, b) => a.at - b.at);
      const event = events.shift() as Event;
      if (event.kind === "arrive") {
        pending.push(event.batch);
        events.push({ at: event.at, kind: "pump" });
      } else if (event.kind === "pump") {
        while (pending.length > 0) {
          const batch = pending[0] as number;
          const outcome = await pick().reserve(credits[batch] as number, event.at, 3 * L);
          if (outcome.kind !== "reserved") {
            if (!events.some((e) => e.kind === "pump"))
              events.push({ at: outcome.kind === "horizon_full" ? outcome.retryAt : outcome.resumeAt, kind: "pump" });
            break;
          }
          pending.shift();
          const r = outcome.reservation;
          reservedPerSlot.set(r.slotStart, (reservedPerSlot.get(r.slotStart) ?? 0) + r.credits);
          // Workers start late by up to 150 ms (more than m/4), so some spends must wait.
          const at = Math.max(event.at, r.slotStart) + Math.floor(random() * 150);
          events.push({ at, kind: "spend", batch, reservation: r });
        }
      } else {
        const outcome = await pick().spend(event.reservation, event.at);
        if (outcome.kind === "granted") spends.push({ at: event.at, batch: event.batch, ...event.reservation });
        else if (outcome.kind === "wait") events.push({ ...event, at: outcome.at });
        else {
          pending.unshift(event.batch);
          events.push({ at: event.at, kind: "pump" });
        }
      }
    }

    expect(spends.map((s) => s.batch).sort((a, b) => a - b)).toEqual(credits.map((_, batch) => batch));
    expect(Math.max(...reservedPerSlot.values())).toBeLessThanOrEqual(C);
    const worstWindow = Math.max(
      ...spends.map((s) =>
        spends.filter((o) => o.at >= s.at && o.at <= s.at + W).reduce((sum, o) => sum + o.credits, 0),
      ),
    );
    expect(worstWindow).toBeLessThanOrEqual(C);
    // Credit by credit: no interval shorter than the gate's spacing holds more than the plan.
    const worstSpacing = Math.max(
      ...spends.map((s) =>
        spends.filter((o) => o.at >= s.at && o.at < s.at + W + (3 * M) / 4).reduce((sum, o) => sum + o.credits, 0),
      ),
    );
    expect(worstSpacing).toBeLessThanOrEqual(C);
  });
});

/** A small seeded PRNG, so the simulation is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
