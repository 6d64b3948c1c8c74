import { createHash, randomBytes } from "node:crypto";

/** Splits the universe into batches of at most `batchSize` symbols, in universe order. */
export function planBatches(symbols: readonly string[], batchSize: number): string[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const batches: string[][] = [];
  for (let i = 0; i < symbols.length; i += batchSize) batches.push(symbols.slice(i, i + batchSize));
  return batches;
}

/**
 * The provider account a ledger belongs to: a short hash of the API key, never the key itself, so two
 * deployments sharing a key share a ledger and nothing secret is stored.
 */
export function accountOf(apiKey: string): string {
  return createHash("sha256").update(`dq-ledger:${apiKey}`).digest("hex").slice(0, 16);
}

/**
 * A session id: derived from the idempotency key when there is one, so the same scheduled invocation or Slack
 * request always maps to the same session; otherwise time-ordered and random.
 */
export function sessionIdFor(idempotencyKey: string | undefined, now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  if (idempotencyKey) return `s-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 20)}`;
  return `s-${stamp}-${randomBytes(4).toString("hex")}`;
}

export interface ScheduleShape {
  /** The provider's window, ms. */
  windowMs: number;
  /** Safety margin added to every slot, ms. */
  marginMs: number;
  creditsPerWindow: number;
  batchSize: number;
}

/** Slots needed for `batches` batches (one slot holds floor(C / batchSize) batches). */
export function slotsNeeded(batches: number, shape: ScheduleShape): number {
  const perSlot = Math.max(1, Math.floor(shape.creditsPerWindow / shape.batchSize));
  return Math.ceil(batches / perSlot);
}

/** Estimated makespan: every slot but the last one waited out, plus one batch's processing. */
export function estimateDurationMs(batches: number, shape: ScheduleShape, batchProcessingMs = 3_000): number {
  if (batches === 0) return 0;
  return (slotsNeeded(batches, shape) - 1) * (shape.windowMs + shape.marginMs) + batchProcessingMs;
}

/**
 * The bound a session states at its start (its dueAt): the estimated duration at the plan's rate, doubled (other
 * sessions of the key, 429s and retries share the slots), plus an hour for the slowest recoveries (a message's
 * receives up to the dead-letter queue), plus a day for each daily cap the universe meets. Past it the session is
 * reported overdue.
 */
export function sessionBoundMs(
  symbols: number,
  batches: number,
  shape: ScheduleShape,
  creditsPerDay: number | null | undefined,
): number {
  const capDays = creditsPerDay ? Math.floor(Math.max(0, symbols - 1) / creditsPerDay) : 0;
  return 2 * estimateDurationMs(batches, shape) + 3_600_000 + capDays * 86_400_000;
}

/** The lower bound DESIGN.md measures against: (ceil(N / C) - 1) windows plus one batch's processing. */
export function lowerBoundMs(
  symbols: number,
  creditsPerWindow: number,
  windowMs: number,
  batchProcessingMs: number,
): number {
  return (Math.ceil(symbols / creditsPerWindow) - 1) * windowMs + batchProcessingMs;
}
