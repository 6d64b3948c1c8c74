import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { CreditLedger, LedgerUsage, ReserveOutcome, SlotReservation, SpendOutcome } from "../../pipeline/ports.ts";
import { spendMargins } from "../../pipeline/spend-margins.ts";
import {
  firstUsableSlot,
  type Grid,
  isIdle,
  lateReservationMs,
  nextUtcMidnight,
  slotStartOf,
  utcDay,
} from "./credit-grid.ts";
import { isConditionalCheckFailed, reasonOf, StoreError } from "./errors.ts";
import { ExpressionBuilder } from "./expression.ts";
import { type Item, PK, SK, TTL } from "./items.ts";
import { type KeyShare, lastSlot, nextShare, planAt, retryWhenFull, takenAt } from "./key-share.ts";
import { decideSpend, type GateState, gateOfItem, settleSpend, withdrawSpend } from "./spend-gate.ts";

export interface DynamoCreditLedgerOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** A short hash of the provider API key, never the key itself. */
  account: string;
  /** C: credits one slot may hold; the plan's credits per window. */
  creditsPerSlot: number;
  /** Credits per UTC day; null for a plan without a daily cap. */
  creditsPerDay: number | null;
  /** W: the provider's window (60 000 on Twelve Data; seconds in the demo). */
  windowMs: number;
  /** m: slack for clock skew and request latency; a slot is W + m long. */
  marginMs: number;
  /** How long ledger items live after the slot they describe. @default 172800 (2 days) */
  ttlSeconds?: number;
}

/** Optimistic writes of the grid and the gate lose only to a writer that made progress; this bounds a pathological loop. */
const MAX_RACES = 50;

/**
 * The credit ledger on DynamoDB, shared by every session and worker of one provider account, under
 * `PK = LEDGER#<account>`: the grid (`GRID`), per-slot reservations (`MIN#<slot start ms>`), per-day
 * reservations (`DAY#<yyyy-mm-dd>`), the spend gate (`GATE`) and what another consumer of the key takes (`SHARE`,
 * key-share.ts). Single-item conditional writes only.
 */
export class DynamoCreditLedger implements CreditLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #pk: string;
  readonly #perSlot: number;
  readonly #perDay: number | null;
  readonly #windowMs: number;
  readonly #marginMs: number;
  readonly #slotMs: number;
  readonly #ttlSeconds: number;
  /**
   * Slots below `slot` under `anchor` had no room for `credits` when this process last tried them, so a pump
   * reserving many batches does not retry every full slot each time.
   */
  #fullBelow: { anchor: number; slot: number; plan: number } | undefined;

  constructor(options: DynamoCreditLedgerOptions) {
    if (!Number.isInteger(options.creditsPerSlot) || options.creditsPerSlot < 1)
      throw new RangeError(`creditsPerSlot must be a positive integer, not ${options.creditsPerSlot}`);
    if (options.creditsPerDay !== null && (!Number.isInteger(options.creditsPerDay) || options.creditsPerDay < 1))
      throw new RangeError(`creditsPerDay must be a positive integer or null, not ${options.creditsPerDay}`);
    if (!(options.windowMs > 0) || !(options.marginMs >= 0))
      throw new RangeError(
        `windowMs must be positive and marginMs not negative (${options.windowMs}, ${options.marginMs})`,
      );
    this.#client = options.client;
    this.#table = options.tableName;
    this.#pk = `LEDGER#${options.account}`;
    this.#perSlot = options.creditsPerSlot;
    this.#perDay = options.creditsPerDay;
    this.#windowMs = options.windowMs;
    this.#marginMs = options.marginMs;
    this.#slotMs = options.windowMs + options.marginMs;
    this.#ttlSeconds = options.ttlSeconds ?? 2 * 86_400;
  }

  async reserve(credits: number, now: number, horizonMs: number): Promise<ReserveOutcome> {
    if (!Number.isInteger(credits) || credits < 1 || credits > this.#perSlot)
      throw new RangeError(`cannot reserve ${credits} credits: a slot holds 1 to ${this.#perSlot}`);
    // The plan as it stands: less what another consumer of the key takes a window; nothing while it takes it all.
    const plan = planAt(await this.#share(), now, this.#perSlot, this.#windowMs);
    if (plan === 0) return { kind: "horizon_full", retryAt: now + this.#slotMs };
    const want = Math.min(credits, plan);
    const grid = await this.#currentGrid(now);
    const first = firstUsableSlot(grid, now, this.#slotMs, lateReservationMs(this.#windowMs, this.#marginMs));
    const last = lastSlot(grid, now, horizonMs, this.#slotMs, first, plan < this.#perSlot);
    const known = this.#fullBelow;
    const hint = known !== undefined && known.anchor === grid.anchor && plan <= known.plan ? known.slot : 0;
    for (let slot = Math.max(first, hint); slot <= last; slot++) {
      const slotStart = slotStartOf(grid, slot, this.#slotMs);
      // A batch goes whole into a slot with room for it; while another consumer holds part of the plan, it is split
      // over the slots' room instead, so the credits left in each window are used.
      const took =
        plan < this.#perSlot
          ? await this.#takeUpTo(slotKey(slotStart), want, plan, slotStart)
          : (await this.#take(slotKey(slotStart), want, plan, slotStart))
            ? want
            : 0;
      if (took === 0) {
        // Every slot from the first tried up to this one was full.
        this.#fullBelow = { anchor: grid.anchor, slot: slot + 1, plan };
        continue;
      }
      if (this.#perDay !== null && !(await this.#take(dayKey(slotStart), took, this.#perDay, slotStart))) {
        await this.#giveBack(slotKey(slotStart), took);
        return { kind: "day_exhausted", resumeAt: nextUtcMidnight(slotStart) };
      }
      await this.#raiseLastSlot(grid, slot, slotStart);
      return { kind: "reserved", reservation: { slotStart, credits: took } };
    }
    const retryAt = retryWhenFull(grid, first, last, this.#slotMs, horizonMs, plan < this.#perSlot);
    return { kind: "horizon_full", retryAt };
  }

  async release(reservation: SlotReservation): Promise<void> {
    await this.#giveBack(slotKey(reservation.slotStart), reservation.credits);
    if (this.#perDay !== null) await this.#giveBack(dayKey(reservation.slotStart), reservation.credits);
    const hint = this.#fullBelow;
    if (hint !== undefined) {
      const slot = Math.round((reservation.slotStart - hint.anchor) / this.#slotMs);
      if (slot >= 0 && slot < hint.slot) this.#fullBelow = { ...hint, slot };
    }
  }

  async refund(reservation: SlotReservation): Promise<void> {
    if (this.#perDay !== null && reservation.credits > 0)
      await this.#giveBack(dayKey(reservation.slotStart), reservation.credits);
  }

  async observe(usage: { others: number; overflow: number }, at: number): Promise<void> {
    const current = await this.#share();
    const next = nextShare(current, usage, at, this.#perSlot, this.#windowMs);
    if (next === undefined) return;
    const e = new ExpressionBuilder();
    const when = e.name("at");
    // Best effort: losing to a newer observation is what should happen.
    await this.#conditional("PutItem", "SHARE", () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...this.#key("SHARE"), ...next, [TTL]: this.#ttl(at) },
          ConditionExpression: `attribute_not_exists(${when}) OR ${when} <= ${e.value(at)}`,
          ...e.params(),
        }),
      ),
    );
  }

  async usage(at: number, slotStart?: number): Promise<LedgerUsage> {
    const day = this.#perDay === null ? undefined : await this.#read(dayKey(at));
    const slot = slotStart === undefined ? undefined : await this.#read(slotKey(slotStart));
    return {
      creditsPerSlot: this.#perSlot,
      takenByOthers: takenAt(await this.#share(), at, this.#windowMs),
      dayUsed: this.#perDay === null ? null : Number(day?.used ?? 0),
      ...(slotStart === undefined ? {} : { slotReserved: Number(slot?.used ?? 0) }),
    };
  }

  async #share(): Promise<KeyShare | undefined> {
    const item = await this.#read("SHARE");
    return item && { taken: Number(item.taken), at: Number(item.at) };
  }

  /** Takes `credits` in the slot, or as many as it has room for under `limit`; how many it took (0: none). */
  async #takeUpTo(sk: string, credits: number, limit: number, slotStart: number): Promise<number> {
    if (await this.#take(sk, credits, limit, slotStart)) return credits;
    for (let race = 0; race < 3; race++) {
      const room = limit - Number((await this.#read(sk))?.used ?? 0);
      if (room < 1) return 0;
      const take = Math.min(credits, room);
      if (await this.#take(sk, take, limit, slotStart)) return take;
    }
    return 0;
  }

  async closeDay(at: number): Promise<void> {
    if (this.#perDay === null) return;
    const e = new ExpressionBuilder();
    const used = e.name("used");
    const limit = e.value(this.#perDay);
    await this.#conditional("UpdateItem", dayKey(at), () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#key(dayKey(at)),
          UpdateExpression: `SET ${used} = ${limit}, ${e.name("limit")} = ${limit}, ${e.name(TTL)} = ${e.value(this.#ttl(at))}`,
          ConditionExpression: `attribute_not_exists(${used}) OR ${used} < ${limit}`,
          ...e.params(),
        }),
      ),
    );
  }

  async spend(
    reservation: SlotReservation,
    now: number | (() => number),
    capacity = this.#perSlot,
    replacing?: number,
  ): Promise<SpendOutcome> {
    const spacingMs = this.#windowMs + spendMargins(this.#marginMs).gateMs;
    const clock = typeof now === "function" ? now : () => now;
    for (let race = 0; race < MAX_RACES; race++) {
      const gate = gateOfItem(await this.#read("GATE"), this.#perSlot);
      const at = clock();
      const decision = decideSpend(gate, reservation.credits, at, spacingMs, capacity, replacing);
      if (decision.next === undefined || (await this.#writeGate(gate, decision.next, at))) return decision.outcome;
    }
    throw new StoreError("UpdateItem", this.#table, `${this.#pk} / GATE`, `spend lost ${MAX_RACES} races in a row`);
  }

  async settle(reservation: SlotReservation, grantedAt: number, sentAt: number): Promise<void> {
    await this.#changeGate("settle", sentAt, (gate) => settleSpend(gate, grantedAt, reservation.credits, sentAt));
  }

  async withdraw(reservation: SlotReservation, grantedAt: number): Promise<void> {
    await this.#changeGate("withdraw", grantedAt, (gate) => withdrawSpend(gate, grantedAt, reservation.credits));
  }

  /** A change to the gate's recorded spends (none when `change` gives undefined), against racing writers. */
  async #changeGate(what: string, at: number, change: (gate: GateState) => GateState | undefined): Promise<void> {
    for (let race = 0; race < MAX_RACES; race++) {
      const gate = gateOfItem(await this.#read("GATE"), this.#perSlot);
      if (!gate) return;
      const next = change(gate);
      if (next === undefined || (await this.#writeGate(gate, next, at))) return;
    }
    throw new StoreError("UpdateItem", this.#table, `${this.#pk} / GATE`, `${what} lost ${MAX_RACES} races in a row`);
  }

  /** The grid to reserve under; re-anchored at `now` when absent or idle. */
  async #currentGrid(now: number): Promise<Grid> {
    for (let race = 0; race < MAX_RACES; race++) {
      const item = await this.#read("GRID");
      const grid = item && { anchor: Number(item.anchor), lastSlot: Number(item.lastSlot) };
      if (grid !== undefined && !isIdle(grid, now, this.#slotMs)) return grid;
      // lastSlot 0 at once: the re-anchoring reserver takes slot 0, and the grid must not look idle to the next one.
      const next: Grid = { anchor: now, lastSlot: 0 };
      const e = new ExpressionBuilder();
      const condition =
        grid === undefined
          ? `attribute_not_exists(${e.name(PK)})`
          : `${e.name("anchor")} = ${e.value(grid.anchor)} AND ${e.name("lastSlot")} = ${e.value(grid.lastSlot)}`;
      const written = await this.#conditional("PutItem", "GRID", () =>
        this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: { ...this.#key("GRID"), ...next, [TTL]: this.#ttl(now) },
            ConditionExpression: condition,
            ...e.params(),
          }),
        ),
      );
      if (written) return next;
    }
    throw new StoreError("PutItem", this.#table, `${this.#pk} / GRID`, `re-anchoring lost ${MAX_RACES} races in a row`);
  }

  /** Best effort: a lost race means another reserver raised it further, or re-anchored. */
  async #raiseLastSlot(grid: Grid, slot: number, slotStart: number): Promise<void> {
    if (slot <= grid.lastSlot) return;
    const e = new ExpressionBuilder();
    const lastSlot = e.name("lastSlot");
    const k = e.value(slot);
    await this.#conditional("UpdateItem", "GRID", () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#key("GRID"),
          UpdateExpression: `SET ${lastSlot} = ${k}, ${e.name(TTL)} = ${e.value(this.#ttl(slotStart))}`,
          ConditionExpression: `${e.name("anchor")} = ${e.value(grid.anchor)} AND ${lastSlot} < ${k}`,
          ...e.params(),
        }),
      ),
    );
  }

  /** `ADD used :n` where the item has room for n under `limit`; false when it has not. */
  async #take(sk: string, credits: number, limit: number, slotStart: number): Promise<boolean> {
    if (credits > limit) return false;
    const e = new ExpressionBuilder();
    const used = e.name("used");
    return this.#conditional("UpdateItem", sk, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#key(sk),
          UpdateExpression: `ADD ${used} ${e.value(credits)} SET ${e.name("limit")} = ${e.value(limit)}, ${e.name(TTL)} = ${e.value(this.#ttl(slotStart))}`,
          ConditionExpression: `attribute_not_exists(${used}) OR ${used} <= ${e.value(limit - credits)}`,
          ...e.params(),
        }),
      ),
    );
  }

  /** Never creates an item or drives `used` below zero: a double release gives back nothing the second time. */
  async #giveBack(sk: string, credits: number): Promise<void> {
    const e = new ExpressionBuilder();
    const used = e.name("used");
    await this.#conditional("UpdateItem", sk, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: this.#key(sk),
          UpdateExpression: `ADD ${used} ${e.value(-credits)}`,
          ConditionExpression: `${used} >= ${e.value(credits)}`,
          ...e.params(),
        }),
      ),
    );
  }

  async #writeGate(read: GateState | undefined, next: GateState, now: number): Promise<boolean> {
    const e = new ExpressionBuilder();
    const condition =
      read === undefined
        ? `attribute_not_exists(${e.name(PK)})`
        : read.version === 0
          ? `attribute_not_exists(${e.name("version")})`
          : `${e.name("version")} = ${e.value(read.version)}`;
    return this.#conditional("PutItem", "GATE", () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...this.#key("GATE"),
            spends: next.spends.map(([at, credits]) => [at, credits]),
            version: next.version,
            [TTL]: this.#ttl(now),
          },
          ConditionExpression: condition,
          ...e.params(),
        }),
      ),
    );
  }

  async #read(sk: string): Promise<Item | undefined> {
    try {
      const out = await this.#client.send(
        new GetCommand({ TableName: this.#table, Key: this.#key(sk), ConsistentRead: true }),
      );
      return out.Item;
    } catch (error) {
      throw new StoreError("GetItem", this.#table, `${this.#pk} / ${sk}`, reasonOf(error), { cause: error });
    }
  }

  /** Runs a conditional write: true when written, false when the condition did not hold. */
  async #conditional(operation: string, sk: string, write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw new StoreError(operation, this.#table, `${this.#pk} / ${sk}`, reasonOf(error), { cause: error });
    }
  }

  #key(sk: string): Item {
    return { [PK]: this.#pk, [SK]: sk };
  }

  #ttl(from: number): number {
    return Math.floor(from / 1000) + this.#ttlSeconds;
  }
}

const slotKey = (slotStart: number) => `MIN#${slotStart}`;
const dayKey = (slotStart: number) => `DAY#${utcDay(slotStart)}`;
