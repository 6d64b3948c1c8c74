/**
 * One daily OHLCV bar. `date` is the session date in the exchange's own time zone (YYYY-MM-DD).
 * `volume` is null where a source has none (indices, forex). A price is NaN where the source's cell was blank or
 * NaN: the engine reports it where it is instead of refusing the whole series.
 */
export interface Bar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  /**
   * Set when the source gave a bare instant (epoch, or a UTC timestamp with no zone of its own) that is not a UTC
   * midnight: `date` is then only its UTC date, and the engine re-dates the bar in the exchange's time zone.
   */
  instant?: number;
}

/** Reference bars from the provider, with what is needed to tell a complete session from one in progress. */
export interface ReferenceSeries {
  bars: Bar[];
  /** IANA zone of the exchange, from the provider's `meta.exchange_timezone`; "UTC" for forex and crypto. */
  exchangeTimezone: string;
  /** ISO 10383 MIC (`meta.mic_code`), e.g. XNAS. */
  mic?: string;
  /** The provider's exchange name (`meta.exchange`), e.g. NASDAQ, XETR. */
  exchange?: string;
  /** equity (the default), forex or crypto: forex and crypto trade in UTC days. */
  kind?: "equity" | "forex" | "crypto";
  /** Quote currency (`meta.currency`, `currency_quote`), e.g. USD, GBp. */
  currency?: string;
  /** Dates the provider answered more than once with different values: neither value is used. */
  conflicts?: string[];
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
