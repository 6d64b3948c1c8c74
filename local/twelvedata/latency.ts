import { gaussian, mulberry32, type Random } from "../market/prng.ts";

/**
 * How long the provider takes to answer a /time_series request once it has charged it, at a real 60 s window:
 * a fixed part (TLS, the gateway), a part per symbol and per bar answered, times a log-normal spread, with a
 * tail of slow answers. dq's schedule must hold the plan at these latencies, not only against an instant server.
 */
export interface LatencyProfile {
  /** Any request. */
  baseMs: number;
  perSymbolMs: number;
  /** Per 1,000 bars answered, all symbols together. */
  perThousandBarsMs: number;
  /** σ of the log-normal factor on every answer. */
  sigma: number;
  /** Share of answers in the slow tail, and how much slower they are. */
  tailShare: number;
  tailFactor: number;
}

/**
 * An assumption, not a measurement of Twelve Data (nothing here reaches it): an 8-symbol request of 30 bars each
 * answers in about 0.9 s, one of a year each (2,000 bars) in about 2.3 s, which is the 1.8-3.6 s a multi-symbol
 * request with a long lookback takes in the latency issue's account; 3 % of answers take three times as long.
 */
export const PROVIDER_LATENCY: LatencyProfile = {
  baseMs: 250,
  perSymbolMs: 60,
  perThousandBarsMs: 800,
  sigma: 0.25,
  tailShare: 0.03,
  tailFactor: 3,
};

/** The request an answer's latency depends on. */
export interface AnsweredRequest {
  symbols: number;
  bars: number;
}

/**
 * Latencies drawn from a profile, scaled to the emulator's window (a 2 s window answers 30 times faster than a
 * 60 s one, so latency takes the same share of a window), from a seeded generator: a run is repeatable.
 */
export function latencyModel(
  profile: LatencyProfile,
  options: { windowSeconds: number; seed?: number },
): (request: AnsweredRequest) => number {
  const random: Random = mulberry32(options.seed ?? 7);
  const scale = options.windowSeconds / 60;
  return ({ symbols, bars }) => {
    const median = profile.baseMs + profile.perSymbolMs * symbols + (profile.perThousandBarsMs * bars) / 1000;
    const spread = Math.exp(profile.sigma * gaussian(random));
    const tail = random() < profile.tailShare ? profile.tailFactor : 1;
    return Math.max(0, median * spread * tail * scale);
  };
}
