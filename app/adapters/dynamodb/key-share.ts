/**
 * What another program on the same provider key takes, as the credit ledger learns it: the latest observation (the
 * credits of a window the provider counted beside one of dq's requests), held for a while and then given back one
 * credit a window, so the plan shrinks to what is free at once and grows back when the other program is quiet.
 */
export interface KeyShare {
  /** Credits of a window another consumer held. */
  taken: number;
  /** When the provider said so (ms). */
  at: number;
}

/** Windows an observation holds in full before the plan grows back, a credit a window. */
export const SHARE_HOLD_WINDOWS = 2;

/** Credits a window another consumer is taken to hold at `at`. */
export function takenAt(share: KeyShare | undefined, at: number, windowMs: number): number {
  if (share === undefined || share.taken <= 0) return 0;
  const quietWindows = Math.floor((at - share.at) / windowMs) - SHARE_HOLD_WINDOWS;
  return Math.max(0, share.taken - Math.max(0, quietWindows));
}

/** The credits a slot may hold at `at`: the plan's, less what another consumer takes. */
export function planAt(share: KeyShare | undefined, at: number, perSlot: number, windowMs: number): number {
  return Math.max(0, perSlot - takenAt(share, at, windowMs));
}

/**
 * The share after the provider spoke at `at`. A refusal (`overflow` credits past the limit) means the plan was too
 * large by that much, whatever caused it: the share grows by it. A request served whole bounds the share from above
 * by what the provider counted beside it, so the plan grows back as soon as the other program holds less. Undefined
 * when the stored share stands (an older observation never replaces a newer one, and nothing changed within a window).
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
  if (current !== undefined && taken === held && taken === current.taken && at - current.at < windowMs)
    return undefined;
  if (current === undefined && taken === 0) return undefined;
  return { taken, at };
}
