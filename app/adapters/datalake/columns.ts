/** Column names of a datalake series. Matched exactly first, then ignoring case. */
export interface ColumnNames {
  /**
   * The session date: `YYYY-MM-DD`, an ISO timestamp, a parquet DATE/TIMESTAMP or epoch number (UTC date taken).
   * @default the first of "date", "timestamp", "datetime" that the series has
   */
  date: string;
  /** @default "open" */
  open: string;
  /** @default "high" */
  high: string;
  /** @default "low" */
  low: string;
  /** @default "close" */
  close: string;
  /** Optional in the series: a series without it reads as volume null (indices, forex). @default "volume" */
  volume: string;
}

export const DATE_COLUMN_CANDIDATES = ["date", "timestamp", "datetime", "time", "t"] as const;

/** Short names some vendors use (Polygon's aggregates: t, o, h, l, c, v), tried after the long ones. */
const SHORT_NAMES = { open: "o", high: "h", low: "l", close: "c", volume: "v" } as const;

const PRICE_FIELDS = ["open", "high", "low", "close"] as const;
export type PriceColumn = (typeof PRICE_FIELDS)[number];

/** The names each field may have: the configured one alone, or the defaults in order. */
export interface ColumnSpec {
  dateCandidates: readonly string[];
  open: readonly string[];
  high: readonly string[];
  low: readonly string[];
  close: readonly string[];
  volume: readonly string[];
}

export function columnSpec(names: Partial<ColumnNames> = {}): ColumnSpec {
  const field = (name: keyof typeof SHORT_NAMES): readonly string[] => {
    const configured = names[name];
    return configured ? [configured] : [name, SHORT_NAMES[name]];
  };
  return {
    dateCandidates: names.date ? [names.date] : DATE_COLUMN_CANDIDATES,
    open: field("open"),
    high: field("high"),
    low: field("low"),
    close: field("close"),
    volume: names.volume ? [names.volume] : ["volume", "vol", SHORT_NAMES.volume],
  };
}

/** Where each field sits among the series' own column names; `volume` undefined when the series has none. */
export interface ResolvedColumns {
  date: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string | undefined;
}

/** Maps the spec onto the series' columns; returns the names it could not find instead when any are missing. */
export function resolveColumns(
  spec: ColumnSpec,
  available: readonly string[],
): { ok: true; columns: ResolvedColumns } | { ok: false; missing: string[] } {
  const missing: string[] = [];
  const first = (candidates: readonly string[]) =>
    candidates.map((name) => findColumn(available, name)).find((name) => name !== undefined);
  const date = first(spec.dateCandidates);
  if (date === undefined) missing.push(spec.dateCandidates.join("|"));
  const prices = PRICE_FIELDS.map((field) => {
    const found = first(spec[field]);
    if (found === undefined) missing.push(spec[field].join("|"));
    return found;
  });
  const [open, high, low, close] = prices;
  if (date === undefined || open === undefined || high === undefined || low === undefined || close === undefined) {
    return { ok: false, missing };
  }
  return { ok: true, columns: { date, open, high, low, close, volume: first(spec.volume) } };
}

function findColumn(available: readonly string[], wanted: string): string | undefined {
  if (available.includes(wanted)) return wanted;
  const lower = wanted.toLowerCase();
  return available.find((name) => name.toLowerCase() === lower);
}
