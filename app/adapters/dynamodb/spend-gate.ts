import type { SpendOutcome } from "../../pipeline/ports.ts";

/**
 * The spend gate's state: the slot whose reservations are being spent, the latest spend of that slot (curLast)
 * and the latest spend of the slot before it (prevLast).
 */
export interface GateState {
  slotStart: number;
  curLast: number;
  prevLast: number;
}

export type GateDecision =
  /** Granted; write `next` conditional on the state read being unchanged. */
  | { outcome: { kind: "granted" }; next: GateState }
  /** Granted with nothing to write: the recorded state already covers this spend. */
  | { outcome: { kind: "granted" }; next?: undefined }
  | { outcome: Exclude<SpendOutcome, { kind: "granted" }>; next?: undefined };

/**
 * Decides whether a reservation of `slotStart` may spend at `now`. `spacingMs` is W plus the gate's margin
 * (app/pipeline/spend-margins.ts), which covers the spread between when a spend is recorded and when the provider
 * counts it.
 *
 * Invariant: spends of different slots are recorded at least `spacingMs` (> W) apart, because a spend of a later slot is
 * only granted once `now >= curLast + spacingMs`, curLast being the latest spend of the slot before, and a spend
 * of an earlier slot than the gate's is refused (expired). Each slot holds at most C reserved credits. So any
 * W-long interval meets the spends of at most one slot, and no rolling W interval holds more than C credits:
 * safe under the stricter, rolling, reading of the provider's per-minute limit.
 */
export function decideSpend(
  gate: GateState | undefined,
  slotStart: number,
  now: number,
  spacingMs: number,
): GateDecision {
  if (gate === undefined) return { outcome: { kind: "granted" }, next: { slotStart, curLast: now, prevLast: 0 } };
  if (slotStart < gate.slotStart) return { outcome: { kind: "expired" } };
  if (slotStart === gate.slotStart) {
    const at = gate.prevLast + spacingMs;
    // Only with clock skew between workers: this worker's now is before a spend of the previous slot allows.
    if (now < at) return { outcome: { kind: "wait", at } };
    // A spend no later than curLast changes nothing: a later slot already waits for curLast + spacing.
    if (now <= gate.curLast) return { outcome: { kind: "granted" } };
    return { outcome: { kind: "granted" }, next: { ...gate, curLast: now } };
  }
  const at = gate.curLast + spacingMs;
  if (now < at) return { outcome: { kind: "wait", at } };
  return { outcome: { kind: "granted" }, next: { slotStart, curLast: now, prevLast: gate.curLast } };
}

/**
 * The gate after a spend's request left at `at`, later than its grant allowed for: its slot's latest spend (curLast)
 * — or, if a later slot has already started spending, the previous slot's (prevLast) — moves up to `at`, so every
 * later spend keeps its distance from when the request really left. Undefined when nothing changes.
 */
export function settleSpend(gate: GateState, slotStart: number, at: number): GateState | undefined {
  if (slotStart === gate.slotStart) return at > gate.curLast ? { ...gate, curLast: at } : undefined;
  if (slotStart < gate.slotStart) return at > gate.prevLast ? { ...gate, prevLast: at } : undefined;
  return undefined;
}
