/**
 * The slot grid of the credit ledger, as pure arithmetic. Slots are L = W + m long (the provider's window plus a
 * margin) and start at `anchor + k * L`. The anchor moves to "now" when the account has been idle, so a session
 * on an idle account starts at once instead of waiting for the next grid boundary.
 */
export interface Grid {
  /** ms since the epoch. */
  anchor: number;
  /** The highest slot index reserved under this anchor. */
  lastSlot: number;
}

export function slotStartOf(grid: Pick<Grid, "anchor">, slot: number, slotMs: number): number {
  return grid.anchor + slot * slotMs;
}

/** Idle: every slot reserved under this anchor has ended. */
export function isIdle(grid: Grid, now: number, slotMs: number): boolean {
  return now >= grid.anchor + (grid.lastSlot + 1) * slotMs;
}

/**
 * How long after a slot started a reservation may still take it. Spent that late, the slot's credits come back to
 * the gate that much later, so the next slots' batches wait for them (m/4 less each slot, the gate's spacing being
 * W + 3m/4 against slots W + m apart); skipped, the slot is lost whole. A session's first slot is the one this
 * matters for: its pump anchors the grid at the first reservation and goes on queueing batches into it, and at a
 * large plan (ten batches a slot, more at a small batch size) that takes longer than m. At most 2 s (what a
 * processor waits for its slot inside Lambda: MAX_EARLY_WAIT_MS) and a quarter of the window (scaled windows),
 * never less than m.
 */
export function lateReservationMs(windowMs: number, marginMs: number): number {
  return Math.max(marginMs, Math.min(2_000, windowMs / 4));
}

/**
 * The first slot a reservation made at `now` may use: the current one while it started at most `lateMs` ago
 * (lateReservationMs), else the next. Never before the anchor: slots before it may overlap an older grid.
 */
export function firstUsableSlot(grid: Pick<Grid, "anchor">, now: number, slotMs: number, lateMs: number): number {
  const current = Math.floor((now - grid.anchor) / slotMs);
  const first = now - slotStartOf(grid, current, slotMs) <= lateMs ? current : current + 1;
  return Math.max(0, first);
}

/** The last slot whose start is within the horizon. */
export function lastSlotWithin(grid: Pick<Grid, "anchor">, now: number, horizonMs: number, slotMs: number): number {
  return Math.floor((now + horizonMs - grid.anchor) / slotMs);
}

/** yyyy-mm-dd of the UTC day holding `ms`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first 00:00 UTC after `ms`. */
export function nextUtcMidnight(ms: number): number {
  const day = new Date(ms);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1);
}
