import type { MarketOverride } from "../calendar/markets.ts";
import type { Bar, ReferenceSeries } from "../domain/bar.ts";

export const Severity = { error: "error", warning: "warning", info: "info" } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export const CheckCode = {
  noData: "no_data",
  stale: "stale",
  missingBars: "missing_bars",
  extraBars: "extra_bars",
  duplicateBars: "duplicate_bars",
  ohlcInvalid: "ohlc_invalid",
  priceMismatch: "price_mismatch",
  adjustmentMismatch: "adjustment_mismatch",
  outlierReturn: "outlier_return",
  volumeMismatch: "volume_mismatch",
  futureBar: "future_bar",
  missingValue: "missing_value",
  referenceStale: "reference_stale",
  referenceSetAside: "reference_set_aside",
  instrumentMismatch: "instrument_mismatch",
} as const;
export type CheckCode = (typeof CheckCode)[keyof typeof CheckCode];

export const CHECK_SEVERITY: Record<CheckCode, Severity> = {
  no_data: "error",
  stale: "error",
  missing_bars: "error",
  extra_bars: "warning",
  duplicate_bars: "error",
  ohlc_invalid: "error",
  price_mismatch: "error",
  adjustment_mismatch: "error",
  outlier_return: "warning",
  volume_mismatch: "info",
  future_bar: "error",
  missing_value: "error",
  reference_stale: "warning",
  reference_set_aside: "info",
  instrument_mismatch: "error",
};

export type PriceField = "open" | "high" | "low" | "close" | "volume";

export interface Issue {
  code: CheckCode;
  severity: Severity;
  /** One line an operator can act on. */
  message: string;
  /** A single date, for per-day findings. */
  date?: string;
  /** A date range, for findings that span days (missing runs, adjustment ranges). */
  from?: string;
  to?: string;
  field?: PriceField;
  subject?: number;
  reference?: number;
  diffPct?: number;
  /** adjustment_mismatch: subject / reference, e.g. 4 for an unapplied 4:1 split. */
  factor?: number;
  /** How many days the finding covers, where it covers more than one. */
  count?: number;
}

export interface Metrics {
  subjectRows: number;
  referenceRows: number;
  comparedRows: number;
  maxDiffPct: number;
  lastSubjectDate: string | null;
  lastReferenceDate: string | null;
}

/** pass: no error-severity issue; fail: at least one; error: could not validate (provider or datalake failure). */
export const ResultStatus = { pass: "pass", fail: "fail", error: "error" } as const;
export type ResultStatus = (typeof ResultStatus)[keyof typeof ResultStatus];

export interface SymbolResult {
  symbol: string;
  status: ResultStatus;
  issues: Issue[];
  metrics: Metrics;
  /** Set when status is `error`: why it could not be validated. Never a data finding. */
  error?: { kind: "provider" | "not_entitled" | "datalake" | "rate_limit" | "internal"; message: string };
}

export interface Tolerances {
  /** Percent. @default 1 */
  closePct: number;
  /** Percent, for open, high and low. @default 2 */
  openHighLowPct: number;
  /** Percent. @default 10 (volume_mismatch is off by default) */
  volumePct: number;
  /** Absolute day-over-day move, percent, beyond which a subject return is an outlier. @default 25 */
  outlierReturnPct: number;
  /** Relative spread of a subject/reference ratio still called constant, percent. @default 0.5 */
  adjustmentRatioSpreadPct: number;
  /**
   * A price within this many ticks of the reference agrees whatever the percentage: a datalake rounded to cents is
   * not 2 % off on a $0.05 stock. @default 1
   */
  priceTicks: number;
  /** Relative slack of the OHLC ordering rules, percent: float artefacts of adjusted data are not invalid. @default 0.001 */
  ohlcEpsilonPct: number;
}

export interface CheckOptions {
  /** Calendar days, ending at the reference's last complete session. @default 10 */
  lookbackDays: number;
  tolerances: Tolerances;
  /** Which checks run. @default every check but volume_mismatch */
  enabled: ReadonlySet<CheckCode>;
  /**
   * Local close, HH:MM, of an exchange dq does not know (known exchanges, forex and crypto have their own; the
   * profile's `markets` override any). @default "16:00"
   */
  sessionClose: string;
  /** Minutes after the close before a session's bar is final. @default 30 */
  settleMinutes: number;
  /** Per-exchange settings, keyed by MIC, exchange name, `forex`, `crypto` or `default`. @default {} */
  markets: Readonly<Record<string, MarketOverride>>;
  /** The price tick, for `priceTicks`. @default 0.01 for equities, 0 (relative tolerance only) for forex and crypto */
  tickSize: number | undefined;
  /** Severities that replace a code's default, e.g. `{ extra_bars: "info" }`. @default {} */
  severities: Readonly<Partial<Record<CheckCode, Severity>>>;
  /** Per-day issues of one code beyond this are summarised in one further issue. @default 10 */
  maxIssuesPerCode: number;
}

export interface CheckInput {
  symbol: string;
  subject: readonly Bar[];
  reference: ReferenceSeries;
  /** The instant the check is made for; the engine never reads the clock. */
  asOf: Date;
  options?: Partial<Omit<CheckOptions, "tolerances">> & { tolerances?: Partial<Tolerances> | undefined };
}
