/**
 * The spend schedule's margins, derived in docs/architecture.md ("The spend schedule"). The provider counts a
 * request when it arrives, before any work (its 429s come back at once), so what separates two slots' counts is
 * when their requests left, the spread of their way to the provider and the two workers' clocks: never how long
 * the answers took.
 *
 * For consecutive slots k and k + 1, with r the gate's record of a spend (the granting worker's clock), d how long
 * after its record the request left, a its way to the provider and e its worker's clock error:
 *
 *   arrival(k+1) - arrival(k) = (r(k+1) - r(k)) + (d(k+1) - d(k)) + (a(k+1) - a(k)) - (e(k+1) - e(k))
 *                            >= W + gate - sendWithin - forwardSpread - skew  =  W
 */
export interface SpendMargins {
  /** Spends of consecutive slots are recorded at least W + gate apart: 3/4 of the slot margin m, so a slot whose
   * spend ran late by up to m/4 does not delay the next one. */
  gateMs: number;
  /** A request that leaves later than this after its grant moves the gate to when it left (settle). */
  sendWithinMs: number;
  /** The spread of a request's way to the provider's counter (a new TLS connection's handshakes included). */
  forwardSpreadMs: number;
  /** The clock error between two workers, both ways together. */
  skewMs: number;
}

/** Where the workers run: their clocks' error between two of them, and the spread of the way to the provider. */
export interface SpendEnvironment {
  skewMs: number;
  forwardSpreadMs: number;
  /**
   * Space every spend from when its answer came back, the latest instant the provider can have counted it: for an
   * environment whose way to the provider has no bound the margin covers (the local stack at a 1 s window, where
   * every function shares one loaded event loop).
   */
  spaceFromAnswer?: boolean;
}

/**
 * Lambda to Twelve Data, as shares of the slot margin m (1 s at a 60 s window): 400 ms of clock error between two
 * workers (Lambda's clocks follow the Amazon Time Sync Service, within a millisecond when healthy; the budget
 * allows a clock far out of step, as the simulation plays it: up to 150 ms each way), and 250 ms of spread on the
 * way to the provider (a request on a new connection waits for TCP's and TLS's handshakes, one on a kept-alive one
 * does not: two round trips of up to 100 ms). What is left, 100 ms, is how late a request may leave after its grant.
 */
export function lambdaEnvironment(marginMs: number): SpendEnvironment {
  return { skewMs: 0.4 * marginMs, forwardSpreadMs: 0.25 * marginMs };
}

/**
 * A provider on loopback: the local stack, every function on this machine's one clock (no skew), a request at the
 * emulator within a few milliseconds even on a loaded 2-core machine (the event loop it shares with the functions
 * is the spread). Under a 2 s window the margin (m = W/60, under 33 ms) is less than that event loop's lag under
 * load (a reliability test put 16 credits in a rolling second at 1 s): spends are spaced from their answers there.
 * The deployed bundles run on the local stack in processes of their own read it from their config as the
 * in-process functions do.
 */
export function loopbackEnvironment(windowMs: number): SpendEnvironment {
  return { skewMs: 0, forwardSpreadMs: 5, ...(windowMs < 2_000 ? { spaceFromAnswer: true } : {}) };
}

export class SpendMarginError extends Error {
  override name = "SpendMarginError";
}

export function spendMargins(
  marginMs: number,
  environment: SpendEnvironment = lambdaEnvironment(marginMs),
): SpendMargins {
  const gateMs = (3 * marginMs) / 4;
  const sendWithinMs = gateMs - environment.skewMs - environment.forwardSpreadMs;
  if (!(sendWithinMs > 0))
    throw new SpendMarginError(
      `the slot margin of ${marginMs} ms is too small for ${environment.skewMs} ms of clock error and ${environment.forwardSpreadMs} ms of spread on the way to the provider: 3/4 of it must exceed both together`,
    );
  return { gateMs, sendWithinMs, ...environment };
}
