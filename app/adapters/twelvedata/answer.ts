import type { Bar, ReferenceSeries } from "../../domain/bar.ts";
import type { DailyRange, ReferenceOutcome } from "../../domain/ports.ts";
import { describeIssues, ErrorAnswerSchema, SeriesAnswerSchema, type SeriesMeta } from "./schema.ts";

/** What one JSON answer of GET /time_series says. */
export type Answer =
  /** An error for the request as a whole. */
  | { kind: "error"; code: number; message: string }
  /** One outcome per requested symbol. */
  | { kind: "outcomes"; outcomes: Map<string, ReferenceOutcome> }
  /** Not a shape the provider answers: treated like a garbled transfer. */
  | { kind: "unreadable"; reason: string };

/** A symbol whose entry cannot be read gets this code: the provider's data, not our request, is at fault. */
export const MALFORMED_ENTRY_CODE = 502;

/**
 * Reads an answer for `symbols` (distinct, as the caller gave them). A one-symbol request answers unkeyed,
 * several answer an object keyed by symbol; each entry is parsed on its own so one bad entry fails only its symbol.
 * Bars come back ascending and limited to the range (the provider's end_date is exclusive, its order may vary).
 */
export function readAnswer(body: unknown, symbols: readonly string[], range: DailyRange): Answer {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return {
      kind: "unreadable",
      reason: `expected a JSON object, got ${Array.isArray(body) ? "an array" : typeof body}`,
    };
  const record = body as Record<string, unknown>;

  const error = ErrorAnswerSchema.safeParse(record);
  const unkeyed = "status" in record || "values" in record || "meta" in record;
  if (error.success) {
    const only = symbols.length === 1 ? symbols[0] : undefined;
    // A one-symbol request has no keyed entry to carry a per-symbol failure, so the whole answer is that entry.
    if (only !== undefined && isAboutTheSymbol(error.data.code, error.data.message))
      return outcomes([[only, { ok: false, code: error.data.code, message: error.data.message }]]);
    return { kind: "error", code: error.data.code, message: error.data.message };
  }
  if (unkeyed) {
    const only = symbols.length === 1 ? symbols[0] : undefined;
    if (only === undefined) return { kind: "unreadable", reason: "an unkeyed answer to a multi-symbol request" };
    return outcomes([[only, readEntry(only, record, range)]]);
  }

  const byUpper = new Map(Object.entries(record).map(([key, value]) => [key.toUpperCase(), value]));
  return outcomes(
    symbols.map((symbol) => {
      const entry = symbol in record ? record[symbol] : byUpper.get(symbol.toUpperCase());
      const outcome: ReferenceOutcome =
        entry === undefined
          ? { ok: false, code: MALFORMED_ENTRY_CODE, message: `${symbol}: missing from the provider's answer` }
          : readEntry(symbol, entry, range);
      return [symbol, outcome];
    }),
  );
}

/** A 403 that names a plan: the key is fine, this symbol is not in its plan ("available starting with Grow"). */
export const PLAN_LOCKED = /plan|upgrad|available (?:starting|exclusively)/i;

/**
 * Failures that concern one symbol's data, not the request: unknown symbol, transient "Data not found", no data,
 * a symbol the plan does not include.
 */
function isAboutTheSymbol(code: number, message: string): boolean {
  return (
    code === 404 ||
    (code === 400 && /no data is available/i.test(message)) ||
    (code === 403 && PLAN_LOCKED.test(message))
  );
}

function readEntry(symbol: string, entry: unknown, range: DailyRange): ReferenceOutcome {
  const error = ErrorAnswerSchema.safeParse(entry);
  if (error.success) return { ok: false, code: error.data.code, message: error.data.message };
  const series = SeriesAnswerSchema.safeParse(entry);
  if (!series.success)
    return {
      ok: false,
      code: MALFORMED_ENTRY_CODE,
      message: `${symbol}: malformed provider answer: ${describeIssues(series.error)}`,
    };
  const sorted = series.data.values
    .filter((bar) => bar.date >= range.startDate && bar.date <= range.endDate)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // A date twice with different values contradicts itself: that date is dropped and named, the others stand.
  const bars: Bar[] = [];
  const conflicts: string[] = [];
  for (const bar of sorted) {
    const previous = bars.at(-1);
    if (conflicts.at(-1) === bar.date) continue;
    if (previous?.date !== bar.date) bars.push(bar);
    else if (!sameBar(previous, bar)) {
      bars.pop();
      conflicts.push(bar.date);
    }
  }
  return { ok: true, series: describeSeries(bars, series.data.meta, conflicts) };
}

/** The series with what the answer says about its market: forex and crypto answers have no exchange time zone. */
function describeSeries(bars: Bar[], meta: SeriesMeta, conflicts: string[]): ReferenceSeries {
  const type = meta.type?.toLowerCase() ?? "";
  const kind = type.includes("digital")
    ? "crypto"
    : type.includes("physical currency") || (meta.exchange_timezone === undefined && meta.currency_base !== undefined)
      ? "forex"
      : "equity";
  const series: ReferenceSeries = { bars, exchangeTimezone: meta.exchange_timezone ?? "UTC", kind };
  if (meta.mic_code) series.mic = meta.mic_code;
  if (meta.exchange) series.exchange = meta.exchange;
  const currency = meta.currency ?? meta.currency_quote;
  if (currency) series.currency = currency;
  if (conflicts.length > 0) series.conflicts = conflicts;
  return series;
}

function sameBar(a: Bar, b: Bar): boolean {
  return a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

function outcomes(entries: [string, ReferenceOutcome][]): Answer {
  return { kind: "outcomes", outcomes: new Map(entries) };
}
