/**
 * One daily OHLCV bar. `date` is the session date in the exchange's own time zone (YYYY-MM-DD).
 * `volume` is null where a source has none (indices, forex).
 */
export interface Bar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
}

/** Reference bars from the provider, with what is needed to tell a complete session from one in progress. */
export interface ReferenceSeries {
  bars: Bar[];
  /** IANA zone of the exchange, from the provider's `meta.exchange_timezone`. */
  exchangeTimezone: string;
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
