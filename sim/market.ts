import type { Bar } from "../app/domain/bar.ts";
import type { Datalake } from "../app/domain/ports.ts";
import type { Invocation } from "./lambda.ts";
import type { Random } from "./random.ts";

const DAY_MS = 86_400_000;

/**
 * A tiny deterministic market: one bar per weekday and symbol, prices from a hash of both. The datalake holds the
 * same bars as the provider (so a symbol passes) except for the symbols the scenario gives a defect.
 */
export function barsBetween(symbol: string, startDate: string, endDate: string): Bar[] {
  const bars: Bar[] = [];
  const base = 20 + (hash(symbol) % 400);
  for (let t = Date.parse(`${startDate}T00:00:00Z`); t <= Date.parse(`${endDate}T00:00:00Z`); t += DAY_MS) {
    const day = new Date(t).getUTCDay();
    if (day === 0 || day === 6) continue;
    const wiggle = ((hash(`${symbol}:${t}`) % 200) - 100) / 1000;
    const close = round(base * (1 + wiggle));
    bars.push({
      date: isoDate(t),
      open: close,
      high: round(close * 1.01),
      low: round(close * 0.99),
      close,
      volume: 1_000_000,
    });
  }
  return bars;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The datalake of the simulated stacks: the market's bars up to the day before the scenario starts. */
export class SimDatalake {
  readonly #lastDate: string | (() => string);
  readonly #defective: ReadonlySet<string>;
  readonly #universe: readonly string[];
  readonly #series = new Map<string, { lastDate: string; bars: Bar[] }>();

  /** `lastDate`: the last bar's date, or a function of the clock for a market that moves. */
  constructor(options: {
    lastDate: string | (() => string);
    defective: ReadonlySet<string>;
    universe: readonly string[];
  }) {
    this.#lastDate = options.lastDate;
    this.#defective = options.defective;
    this.#universe = options.universe;
  }

  /** The datalake as one invocation reads it: each read takes an S3 round trip and may fail. */
  forInvocation(invocation: Invocation, random: Random, failureRate: number, onFailure: () => void): Datalake {
    return {
      readBars: async (symbol) => {
        await invocation.sleep(random.between(8, 120));
        if (random.chance(failureRate)) {
          onFailure();
          throw new Error(`simulated: s3 GetObject for ${symbol} failed after the SDK's retries`);
        }
        return this.#bars(symbol).map((bar) => ({ ...bar }));
      },
      listSymbols: async () => {
        await invocation.sleep(random.between(20, 200));
        return [...this.#universe].sort();
      },
      describe: (symbol) => `sim://datalake/${symbol}.csv`,
    };
  }

  #bars(symbol: string): Bar[] {
    const lastDate = typeof this.#lastDate === "string" ? this.#lastDate : this.#lastDate();
    let cached = this.#series.get(symbol);
    if (cached === undefined || cached.lastDate !== lastDate) {
      const from = isoDate(Date.parse(`${lastDate}T00:00:00Z`) - 60 * DAY_MS);
      const all = barsBetween(symbol, from, lastDate);
      // A defective symbol misses the bar three sessions before its last, whatever the day: it keeps failing.
      cached = { lastDate, bars: this.#defective.has(symbol) ? all.filter((_, i) => i !== all.length - 3) : all };
      this.#series.set(symbol, cached);
    }
    return cached.bars;
  }
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
