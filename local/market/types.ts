import type { Bar } from "../../app/domain/bar.ts";

/** What the provider's `meta` says of an instrument. */
export interface InstrumentMeta {
  symbol: string;
  exchange: string;
  micCode: string;
  currency: string;
  exchangeTimezone: string;
  type: string;
}

export interface Split {
  /** First session traded at the new share count (ex-date). */
  date: string;
  /** New shares per old share: 4 for a 4:1 split, 0.1 for a 1:10 reverse split. */
  ratio: number;
}

/**
 * A source of true market history, as the reference provider would serve it: split-adjusted daily bars,
 * sessions only up to a given instant, today's bar partial while its session is open.
 */
export interface MarketData {
  symbols(): string[];
  meta(symbol: string): InstrumentMeta | undefined;
  /** Ascending, split-adjusted as of `asOf`, every session whose open is before `asOf`; [] for an unknown symbol. */
  dailyBars(symbol: string, asOf: Date): Bar[];
  /** The same history without split adjustment: what a datalake that never applied a split would hold. */
  unadjustedDailyBars(symbol: string, asOf: Date): Bar[];
  splits(symbol: string): Split[];
}
