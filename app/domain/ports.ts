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
  /**
   * `observe` hears what the provider said of the key's credits around this request, whenever it said it; `sent`
   * is called as each HTTP attempt leaves (a retry leaves later than the first), so a caller spacing requests by
   * when the provider counts them knows when that was at the latest.
   */
  dailyBars(
    symbols: readonly string[],
    range: DailyRange,
    observe?: (usage: KeyUsage) => void,
    sent?: () => void,
  ): Promise<Map<string, ReferenceOutcome>>;
}

/**
 * What the provider said of the key's current window around one request (its credit headers, or the numbers of its
 * 429 message): the credits held by everything but this request, so a caller sharing the key with another program
 * learns what that program takes.
 */
export interface KeyUsage {
  /** Credits of the window not charged for this request (another program's, or the caller's other requests'). */
  others: number;
  /** The plan's credits per window, as the provider stated it. */
  limit: number;
  /** Credits asked for beyond the limit (a 429, or a partial answer's refused symbols); 0 when served whole. */
  overflow: number;
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
