import type { SpendOutcome } from "../../pipeline/ports.ts";

/** One spend as the gate recorded it: when (the granting worker's clock) and how many credits. */
export type GateSpend = readonly [at: number, credits: number];

/**
 * The spend gate's state: the spends recorded within the last spacing, in the order recorded, and a version that
 * every write bumps (the conditional write's guard).
 */
export interface GateState {
  spends: readonly GateSpend[];
  version: number;
}

export type GateDecision =
  /** Granted; write `next` conditional on the version read. */
  | { outcome: Extract<SpendOutcome, { kind: "granted" }>; next: GateState }
  /** Not now; `next`, when given (a record given up), is written all the same. */
  | { outcome: Exclude<SpendOutcome, { kind: "granted" }>; next?: GateState };

/**
 * Decides whether `credits` may be spent at `now`. `spacingMs` is W plus the gate's margin
 * (app/pipeline/spend-margins.ts), which covers the spread between when a spend is recorded and when the provider
 * counts it; `capacity` is what the plan leaves the key's other consumers none of (C less their share).
 *
 * Invariant: no interval shorter than `spacingMs` holds spends recorded for more than `capacity` credits, because a
 * spend is granted only when the spends recorded within `spacingMs` before it leave room for it. So no rolling W of
 * the provider's count holds more than `capacity`: safe under the stricter, rolling, reading of the per-minute limit.
 * Credit by credit, not slot by slot: a slot whose batches spent over a second (ten batches at once, a busy
 * machine) lets the next slot's batches follow each its own predecessor, rather than the last of them, so the
 * spread of one slot never adds to the next.
 */
export function decideSpend(
  gate: GateState | undefined,
  credits: number,
  now: number,
  spacingMs: number,
  capacity: number,
  replacing?: number,
): GateDecision {
  const recorded = gate?.spends ?? [];
  // A grant that came back too late to stand is asked again in its place: its record goes, whatever the answer.
  const mine = replacing === undefined ? -1 : recorded.findIndex(([at, c]) => at === replacing && c === credits);
  const live = recorded.filter(([at], i) => i !== mine && at > now - spacingMs);
  const version = (gate?.version ?? 0) + 1;
  const held = live.reduce((sum, [, c]) => sum + c, 0);
  // A batch larger than the capacity goes alone; a capacity of 0 (another consumer holds the whole plan) grants nothing.
  const room = capacity > 0 ? Math.max(capacity, credits) : 0;
  if (held + credits <= room)
    return { outcome: { kind: "granted", at: now }, next: { spends: [...live, [now, credits]], version } };
  const givenUp = mine < 0 ? undefined : { spends: live, version };
  // Room comes back as the oldest spends leave the spacing behind them.
  let freed = 0;
  for (const [at, c] of [...live].sort((a, b) => a[0] - b[0])) {
    freed += c;
    if (held - freed + credits <= room) return { outcome: { kind: "wait", at: at + spacingMs }, next: givenUp };
  }
  return { outcome: { kind: "wait", at: now + spacingMs }, next: givenUp };
}

/**
 * The gate after a spend granted at `grantedAt` had its request leave at `sentAt`, later than its grant allowed for:
 * its record moves to when the request really left, so later spends keep their distance from it. Undefined when
 * nothing changes.
 */
export function settleSpend(
  gate: GateState,
  grantedAt: number,
  credits: number,
  sentAt: number,
): GateState | undefined {
  if (sentAt <= grantedAt) return undefined;
  const i = gate.spends.findIndex(([at, c]) => at === grantedAt && c === credits);
  const spends = i < 0 ? [...gate.spends] : gate.spends.filter((_, j) => j !== i);
  return { spends: [...spends, [sentAt, credits]], version: gate.version + 1 };
}

/**
 * The gate without the record of a spend granted at `grantedAt` whose request will not leave (its grant came back
 * too late to stand, and the batch's wait ran out before it was granted again): its credits no longer hold later
 * spends back. Undefined when the record is gone already (a redelivery withdrawing it twice).
 */
export function withdrawSpend(gate: GateState, grantedAt: number, credits: number): GateState | undefined {
  const i = gate.spends.findIndex(([at, c]) => at === grantedAt && c === credits);
  if (i < 0) return undefined;
  return { spends: gate.spends.filter((_, j) => j !== i), version: gate.version + 1 };
}

/**
 * A gate item as stored; one written before spends were kept credit by credit (slotStart, curLast, prevLast) reads
 * as a full slot spent at its latest record, the conservative reading.
 */
export function gateOfItem(item: Record<string, unknown> | undefined, capacity: number): GateState | undefined {
  if (item === undefined) return undefined;
  const version = Number(item.version ?? 0);
  if (Array.isArray(item.spends))
    return { spends: item.spends.map((s) => [Number(s[0]), Number(s[1])] as const), version };
  if (item.curLast !== undefined) return { spends: [[Number(item.curLast), capacity]], version };
  return undefined;
}
