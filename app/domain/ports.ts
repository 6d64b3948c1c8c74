import type { Bar, ReferenceSeries } from "./bar.ts";

/** What one symbol of a provider answer turned into. A per-symbol failure never fails its neighbours. */
export type ReferenceOutcome = { ok: true; series: ReferenceSeries } | { ok: false; code: number; message: string };

export interface DailyRange {
  /** First session date wanted, YYYY-MM-DD (exchange time). */
  startDate: string;
  /** Last session date wanted, YYYY-MM-DD, inclusive: the client handles the provider's exclusive end. */
  endDate: string;
}

/**
 * The reference provider (Twelve Data). One call is one HTTP request for all the symbols and costs one credit
 * per symbol. A failure of the request as a whole throws a ProviderError (provider-errors.ts): ProviderRateLimited,
 * ProviderUnavailable (after retries), ProviderRefused, or the base class for anything else; nothing in the answer is
 * then usable.
 */
export interface ReferenceProvider {
  dailyBars(symbols: readonly string[], range: DailyRange): Promise<Map<string, ReferenceOutcome>>;
}

/** The datalake of daily bars, one series per symbol. */
export interface Datalake {
  /** The symbol's bars in file order (the engine sorts). Returns [] when the datalake has no file for it. */
  readBars(symbol: string): Promise<Bar[]>;
  /** Every symbol the datalake holds, sorted. */
  listSymbols(): Promise<string[]>;
  /** The URI a symbol resolves to, for messages. */
  describe(symbol: string): string;
}
