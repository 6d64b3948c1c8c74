import { isTradingDay, nextTradingDay, sessionClose } from "../../app/calendar/nyse-calendar.ts";
import type { Bar } from "../../app/domain/bar.ts";
import type { InstrumentSpec } from "./instruments.ts";
import { gaussian, type Random } from "./prng.ts";
import type { Split } from "./types.ts";

/** One simulated session in unadjusted prices, with the intraday path that partial bars are cut from. */
export interface SimulatedSession extends Bar {
  volume: number;
  /** The intraday path visits open, then the first extreme at t1, the second at t2, and closes at 1. */
  t1: number;
  t2: number;
  highFirst: boolean;
}

const round2 = (x: number) => Math.max(0.01, Math.round(x * 100) / 100);

/**
 * The unadjusted daily history of one instrument, generated one session at a time from its own seeded
 * stream and kept, so a session never changes once made, however far the series is later extended.
 *
 * The latent price is the value of one share in today's share count (after every split); a session's
 * unadjusted price is that times the ratios of the splits still ahead of it, so the printed price drops
 * (or jumps, for a reverse split) on each ex-date while the latent path stays smooth.
 */
export class SimulatedSeries {
  readonly sessions: SimulatedSession[] = [];
  readonly #spec: InstrumentSpec;
  readonly #splits: readonly Split[];
  readonly #random: Random;
  readonly #sigma: number;
  readonly #drift: number;
  #latentClose: number;
  #next: string;

  constructor(spec: InstrumentSpec, from: string, random: Random) {
    this.#spec = spec;
    this.#splits = spec.splits ?? [];
    this.#random = random;
    this.#sigma = (spec.dailyVolPct ?? 2) / 100;
    this.#drift = (spec.annualDriftPct ?? 8) / 100 / 252;
    this.#next = isTradingDay(from) ? from : nextTradingDay(from);
    // The first session opens near startPrice (unadjusted), so the latent start undoes the later splits.
    this.#latentClose = spec.startPrice / this.#ratioAhead(this.#next);
  }

  /** Generates sessions up to and including `date`. */
  extendTo(date: string): void {
    while (this.#next <= date) {
      this.sessions.push(this.#simulate(this.#next));
      this.#next = nextTradingDay(this.#next);
    }
  }

  /** Product of the ratios of the splits whose ex-date is after `date`. */
  #ratioAhead(date: string): number {
    let ratio = 1;
    for (const split of this.#splits) if (split.date > date) ratio *= split.ratio;
    return ratio;
  }

  #simulate(date: string): SimulatedSession {
    const random = this.#random;
    const sigma = this.#sigma;
    const prev = this.#latentClose;
    const open = prev * Math.exp(0.3 * sigma * gaussian(random));
    const close = prev * Math.exp(this.#drift - (sigma * sigma) / 2 + sigma * gaussian(random));
    const high = Math.max(open, close) * Math.exp(0.5 * sigma * Math.abs(gaussian(random)));
    const low = Math.min(open, close) * Math.exp(-0.5 * sigma * Math.abs(gaussian(random)));
    const halfDay = sessionClose(date) === "13:00";
    const volume = this.#spec.averageVolume * Math.exp(0.35 * gaussian(random) - 0.06) * (halfDay ? 0.55 : 1);
    const t1 = 0.1 + 0.35 * random();
    const t2 = t1 + 0.1 + 0.35 * random();
    const highFirst = random() < 0.5;
    this.#latentClose = close;

    const ahead = this.#ratioAhead(date);
    return {
      date,
      open: round2(open * ahead),
      high: round2(high * ahead),
      low: round2(low * ahead),
      close: round2(close * ahead),
      volume: Math.max(1, Math.round(volume / ahead)),
      t1,
      t2,
      highFirst,
    };
  }
}

/** The session's bar as it stood when `fraction` (0 < fraction < 1) of it had elapsed. */
export function partialBar(session: SimulatedSession, fraction: number): Bar {
  const first = session.highFirst ? session.high : session.low;
  const second = session.highFirst ? session.low : session.high;
  const path: [number, number][] = [
    [0, session.open],
    [session.t1, first],
    [session.t2, second],
    [1, session.close],
  ];
  let high = session.open;
  let low = session.open;
  let price = session.open;
  for (let i = 1; i < path.length; i++) {
    const [t0, p0] = path[i - 1] as [number, number];
    const [t1, p1] = path[i] as [number, number];
    if (fraction >= t1) {
      high = Math.max(high, p1);
      low = Math.min(low, p1);
      continue;
    }
    price = round2(p0 + ((p1 - p0) * (fraction - t0)) / (t1 - t0));
    break;
  }
  return {
    date: session.date,
    open: session.open,
    high: Math.max(high, price),
    low: Math.min(low, price),
    close: price,
    volume: Math.max(1, Math.round(session.volume * fraction)),
  };
}
