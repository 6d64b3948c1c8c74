import type { Bar } from "../../domain/bar.ts";
import type { DailyRange, ReferenceOutcome } from "../../domain/ports.ts";
import { describeIssues, ErrorAnswerSchema, SeriesAnswerSchema } from "./schema.ts";

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

/** Failures that concern one symbol's data, not the request: unknown symbol, transient "Data not found", no data. */
function isAboutTheSymbol(code: number, message: string): boolean {
  return code === 404 || (code === 400 && /no data is available/i.test(message));
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
  // A date twice with different values is a reference that contradicts itself: nothing can be validated against it.
  const bars: Bar[] = [];
  for (const bar of sorted) {
    const previous = bars.at(-1);
    if (previous?.date !== bar.date) bars.push(bar);
    else if (!sameBar(previous, bar))
      return {
        ok: false,
        code: MALFORMED_ENTRY_CODE,
        message: `${symbol}: malformed provider answer: ${bar.date} appears more than once with different values`,
      };
  }
  return { ok: true, series: { bars, exchangeTimezone: series.data.meta.exchange_timezone } };
}

function sameBar(a: Bar, b: Bar): boolean {
  return a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

function outcomes(entries: [string, ReferenceOutcome][]): Answer {
  return { kind: "outcomes", outcomes: new Map(entries) };
}
