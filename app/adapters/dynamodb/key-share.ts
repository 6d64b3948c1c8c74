import { slotStartOf } from "./credit-grid.ts";

/**
 * What another program on the same provider key takes, as the credit ledger learns it: the latest observation (the
 * credits of a window the provider counted beside one of dq's requests), held two windows and then
 * forgotten. Credits counted in a rolling window are gone a window later, so a burst's share must not outlive it;
 * a program that keeps taking its share is seen again in the headers of every request dq makes in the meantime
 * (dq's spends are a window and a little apart), which renews the observation. So the plan shrinks to what is free
 * at once and is whole again two windows after the other program went quiet.
 */
export interface KeyShare {
  /** Credits of a window another consumer held. */
  taken: number;
  /** When the provider said so (ms). */
  at: number;
}

/**
 * Windows an observation holds: longer than dq's spends are apart (a window, the margin, the answer's latency, and
 * a slot left empty now and then).
 */
export const SHARE_HOLD_WINDOWS = 2;

/** Credits a window another consumer is taken to hold at `at`. */
export function takenAt(share: KeyShare | undefined, at: number, windowMs: number): number {
  if (share === undefined || share.taken <= 0) return 0;
  return at - share.at < SHARE_HOLD_WINDOWS * windowMs ? share.taken : 0;
}

/** The credits a slot may hold at `at`: the plan's, less what another consumer takes. */
export function planAt(share: KeyShare | undefined, at: number, perSlot: number, windowMs: number): number {
  return Math.max(0, perSlot - takenAt(share, at, windowMs));
}

/**
 * The share after the provider spoke at `at`. A refusal (`overflow` credits past the limit) means the plan was too
 * large by that much, whatever caused it: the share grows by it. A request served whole bounds the share from above
 * by what the provider counted beside it, so the plan grows back as soon as the other program holds less, and
 * renews it. Undefined when the stored share stands (an older observation never replaces a newer one).
 */
export function nextShare(
  current: KeyShare | undefined,
  usage: { others: number; overflow: number },
  at: number,
  perSlot: number,
  windowMs: number,
): KeyShare | undefined {
  if (current !== undefined && current.at > at) return undefined;
  const held = takenAt(current, at, windowMs);
  const taken =
    usage.overflow > 0 ? Math.min(perSlot, held + usage.overflow) : Math.max(0, Math.min(held, usage.others));
  if (current === undefined && taken === 0) return undefined;
  return { taken, at };
}

/**
 * Slots a reservation may look ahead while the plan is shrunk (the first usable one and this many after it): what is
 * reserved keeps the plan of its day, so a batch reserved far ahead under a large share would be held to it long
 * after the other program went quiet. The pump comes back after every batch and reserves the next ones then.
 */
export const SHARED_LOOKAHEAD_SLOTS = 3;

/** The last slot a reservation may take: within the horizon, and a few slots ahead only while the key is shared. */
export function lastSlot(
  grid: { anchor: number },
  now: number,
  horizonMs: number,
  slotMs: number,
  first: number,
  shared: boolean,
): number {
  const last = Math.floor((now + horizonMs - grid.anchor) / slotMs);
  return shared ? Math.min(last, first + SHARED_LOOKAHEAD_SLOTS) : last;
}

/**
 * When to ask again once every slot from `first` to `last` was full: shared, the look-ahead moves a slot on when
 * the next one starts; else the horizon reaches the slot after the last.
 */
export function retryWhenFull(
  grid: { anchor: number },
  first: number,
  last: number,
  slotMs: number,
  horizonMs: number,
  shared: boolean,
): number {
  return shared ? slotStartOf(grid, first + 1, slotMs) : slotStartOf(grid, last + 1, slotMs) - horizonMs;
}
