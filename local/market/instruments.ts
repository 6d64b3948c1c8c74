import type { Split } from "./types.ts";

/** Listing venues the synthetic market knows, with their ISO 10383 market identifier codes. */
export const EXCHANGES = {
  NASDAQ: { micCode: "XNAS" },
  NYSE: { micCode: "XNYS" },
} as const;
export type Exchange = keyof typeof EXCHANGES;

/** One instrument of the synthetic market: where it lists and how its price behaves. */
export interface InstrumentSpec {
  symbol: string;
  exchange: Exchange;
  /** Unadjusted price at the first simulated session. */
  startPrice: number;
  /** Average shares traded per full session, counted in today's shares (after every split). */
  averageVolume: number;
  /** Standard deviation of the daily close-to-close return, percent. @default 2 */
  dailyVolPct?: number;
  /** Expected yearly return, percent. @default 8 */
  annualDriftPct?: number;
  /** Ascending by date. @default [] */
  splits?: Split[];
  /** @default "Common Stock" */
  type?: string;
}

function stock(
  symbol: string,
  exchange: Exchange,
  startPrice: number,
  averageVolumeMillions: number,
  dailyVolPct: number,
  splits: Split[] = [],
): InstrumentSpec {
  return { symbol, exchange, startPrice, averageVolume: averageVolumeMillions * 1_000_000, dailyVolPct, splits };
}

/**
 * About sixty large US listings. Prices start near their early-2024 levels and then wander at random; the
 * splits follow the real corporate actions of 2024-2025 (ex-dates and ratios), so the history looks familiar.
 * IBKR (4:1) and LCID (1:10 reverse) split inside 2025.
 */
export const DEFAULT_INSTRUMENTS: readonly InstrumentSpec[] = [
  stock("AAPL", "NASDAQ", 185.64, 55, 1.6),
  stock("ABBV", "NYSE", 154.97, 6, 1.4),
  stock("ADBE", "NASDAQ", 596.54, 3.2, 2.2),
  stock("ADP", "NASDAQ", 232.1, 1.8, 1.2),
  stock("AMD", "NASDAQ", 138.58, 50, 3.0),
  stock("AMGN", "NASDAQ", 286.3, 2.6, 1.5),
  stock("AMZN", "NASDAQ", 149.93, 45, 2.0),
  stock("AVGO", "NASDAQ", 1102.21, 22, 2.6, [{ date: "2024-07-15", ratio: 10 }]),
  stock("BA", "NYSE", 258.3, 8, 2.3),
  stock("BAC", "NYSE", 33.63, 38, 1.6),
  stock("BKNG", "NASDAQ", 3507.1, 0.3, 1.7),
  stock("BRK.B", "NYSE", 355.96, 3.8, 1.0),
  stock("CAT", "NYSE", 295.02, 2.7, 1.8),
  stock("CMCSA", "NASDAQ", 43.85, 20, 1.6),
  stock("CMG", "NYSE", 2283.76, 24, 1.9, [{ date: "2024-06-26", ratio: 50 }]),
  stock("COST", "NASDAQ", 660.07, 2.1, 1.3),
  stock("CRM", "NYSE", 263.15, 6.5, 2.2),
  stock("CSCO", "NASDAQ", 50.07, 20, 1.3),
  stock("CVX", "NYSE", 149.16, 8, 1.5),
  stock("DIS", "NYSE", 90.29, 9, 1.7),
  stock("FAST", "NASDAQ", 64.3, 7, 1.5, [{ date: "2025-05-22", ratio: 2 }]),
  stock("GE", "NYSE", 127.48, 5.5, 1.9),
  stock("GILD", "NASDAQ", 80.91, 7.5, 1.5),
  stock("GOOG", "NASDAQ", 139.56, 22, 1.9),
  stock("GOOGL", "NASDAQ", 138.17, 30, 1.9),
  stock("GS", "NYSE", 385.5, 2.3, 1.7),
  stock("HD", "NYSE", 345.27, 3.6, 1.4),
  stock("HON", "NASDAQ", 204.6, 3.4, 1.2),
  stock("IBKR", "NASDAQ", 86.66, 8, 2.3, [{ date: "2025-06-18", ratio: 4 }]),
  stock("IBM", "NYSE", 162.3, 4.3, 1.5),
  stock("INTC", "NASDAQ", 47.4, 60, 2.6),
  stock("INTU", "NASDAQ", 620.4, 1.6, 1.9),
  stock("ISRG", "NASDAQ", 335.8, 1.7, 1.7),
  stock("JNJ", "NYSE", 156.48, 7.5, 1.0),
  stock("JPM", "NYSE", 170.3, 9.5, 1.3),
  stock("KO", "NYSE", 59.25, 14, 0.9),
  stock("LCID", "NASDAQ", 4.21, 4, 3.0, [{ date: "2025-09-02", ratio: 0.1 }]),
  stock("LLY", "NYSE", 583.14, 3.1, 2.0),
  stock("MA", "NYSE", 425.98, 2.7, 1.2),
  stock("MCD", "NYSE", 296.07, 3.3, 1.1),
  stock("MDLZ", "NASDAQ", 72.39, 8, 1.1),
  stock("META", "NASDAQ", 346.29, 14, 2.3),
  stock("MRK", "NYSE", 108.9, 9, 1.3),
  stock("MSFT", "NASDAQ", 370.87, 21, 1.5),
  stock("MU", "NASDAQ", 84.27, 20, 2.9),
  stock("NFLX", "NASDAQ", 468.5, 35, 2.2, [{ date: "2025-11-17", ratio: 10 }]),
  stock("NKE", "NYSE", 107.93, 11, 1.8),
  stock("NVDA", "NASDAQ", 481.68, 250, 3.0, [{ date: "2024-06-10", ratio: 10 }]),
  stock("ORCL", "NYSE", 104.88, 9, 2.0),
  stock("ORLY", "NASDAQ", 941.5, 4.5, 1.4, [{ date: "2025-06-10", ratio: 15 }]),
  stock("PEP", "NASDAQ", 168.53, 6, 1.0),
  stock("PFE", "NYSE", 29.39, 38, 1.5),
  stock("PG", "NYSE", 146.7, 7, 0.9),
  stock("PYPL", "NASDAQ", 61.78, 14, 2.2),
  stock("QCOM", "NASDAQ", 142.71, 8.5, 2.1),
  stock("SBUX", "NASDAQ", 94.2, 9, 1.7),
  stock("T", "NYSE", 17.31, 35, 1.3),
  stock("TSLA", "NASDAQ", 248.42, 95, 3.0),
  stock("TXN", "NASDAQ", 168.06, 6, 1.6),
  stock("UNH", "NYSE", 526.7, 4, 1.6),
  stock("V", "NYSE", 259.24, 6.5, 1.1),
  stock("VZ", "NYSE", 38.26, 20, 1.1),
  stock("WMT", "NYSE", 158.13, 18, 1.1, [{ date: "2024-02-26", ratio: 3 }]),
  stock("XOM", "NYSE", 100.47, 16, 1.4),
];
