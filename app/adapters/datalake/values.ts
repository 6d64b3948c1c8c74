import { zonedDate } from "../../calendar/zoned-time.ts";
import { ISO_DATE } from "../../domain/bar.ts";
import { BarFormatError } from "./errors.ts";

/**
 * Cell values as a series holds them (CSV text, or what hyparquet decodes) turned into a bar's fields.
 * Each function throws BarFormatError with the reason; the reader adds the row and the column.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** How writers spell a missing number: blank, NaN (pandas), null, NA (R), None (Python's str()), nil. */
const MISSING = new Set(["", "null", "na", "nan", "none", "n/a", "nil", "-nan"]);

/** A strict decimal: no hex, no blanks, no `Infinity`; undefined when the text is not one. */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A price. Zero and negative prices pass: they are data the engine flags, not unreadable cells. A missing value
 * (a blank cell, null, NaN as pandas writes it) is NaN, which the engine reports as `missing_value` on its date;
 * only text that is not a number at all, or an infinity, makes the series unreadable.
 */
export function toPrice(value: unknown): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) || Number.isNaN(value)) return value;
    throw new BarFormatError(`${value} is not a price`);
  }
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    if (MISSING.has(value.trim().toLowerCase())) return Number.NaN;
    const parsed = parseDecimal(value);
    if (parsed === undefined) throw new BarFormatError(`${show(value)} is not a number`);
    return parsed;
  }
  if (value === null || value === undefined) return Number.NaN;
  throw new BarFormatError(`expected a number, found ${describeType(value)}`);
}

/** Volume, or null where the series has none (an empty cell, null, or NaN as pandas writes a missing float). */
export function toVolume(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isNaN(value) ? null : toPrice(value);
  if (typeof value === "string" && MISSING.has(value.trim().toLowerCase())) return null;
  return toPrice(value);
}

/**
 * How a bare instant (an epoch number, a `...Z` timestamp, a parquet TIMESTAMP adjusted to UTC with no zone of its
 * own) becomes a session date:
 * - `auto`: a UTC midnight is a date stored as a timestamp (its UTC date); any other instant is dated by the engine
 *   in the exchange's time zone (Berlin's midnight is 23:00 UTC the day before);
 * - `utc`: its UTC date, always;
 * - `exchange`: always in the exchange's time zone;
 * - an IANA zone, e.g. `Europe/Berlin`: its date in that zone.
 * Zoned timestamps (`+01:00`, pandas' tz-aware columns) always give their wall-clock date in their own offset.
 */
export type InstantRule = string;

export interface DateContext {
  /** @default "auto" */
  instants?: InstantRule;
  /** The column's own zone (pandas metadata of a tz-aware column): its instants are dated there. */
  columnZone?: string;
  /** The column holds wall-clock times (parquet TIMESTAMP with isAdjustedToUTC = false): UTC fields are local. */
  wallClock?: boolean;
}

/** A session date, and the instant it came from when the engine must date it in the exchange's zone. */
export interface SessionDate {
  date: string;
  instant?: number;
}

const DAY_MS = 86_400_000;

/** The session date of a date cell; see DateContext and InstantRule for how instants are dated. */
export function toSessionDateIn(value: unknown, context: DateContext = {}): SessionDate {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new BarFormatError("Invalid Date is not a valid date");
    if (context.wallClock) return { date: fromEpochMs(ms, value) };
    if (context.columnZone) return { date: zonedDate(value, context.columnZone) };
    return fromInstant(ms, value, context.instants);
  }
  if (typeof value === "string" && /^-?\d{8,19}$/.test(value.trim())) {
    // Epoch numbers (Polygon's `t`) and YYYYMMDD written as text, as CSV holds every cell.
    return toSessionDateIn(BigInt(value.trim()), context);
  }
  if (typeof value === "string") {
    const text = value.trim();
    const match = TIMESTAMP.exec(text);
    // A `Z` timestamp is a UTC instant; an offset makes the timestamp zoned, and its written date is its own.
    if (match?.[2]?.toUpperCase() === "Z") {
      checkedDate(match[1] as string, text);
      return fromInstant(Date.parse(`${text.slice(0, -1).replace(" ", "T")}Z`), text, context.instants);
    }
    return { date: fromText(text) };
  }
  if (typeof value === "bigint" || (typeof value === "number" && Number.isFinite(value))) {
    const number = typeof value === "bigint" && value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value;
    if (typeof number === "number" && Number.isInteger(number) && number >= 19000101 && number <= 21001231)
      return { date: fromEpochNumber(number) };
    const ms = typeof number === "bigint" ? Number(number / 1_000_000n) : epochMs(number);
    return fromInstant(ms, value, context.instants);
  }
  return { date: toSessionDate(value) };
}

function fromInstant(ms: number, original: unknown, rule: InstantRule = "auto"): SessionDate {
  const date = fromEpochMs(ms, original);
  if (rule === "utc") return { date };
  if (rule === "auto") return ms % DAY_MS === 0 ? { date } : { date, instant: ms };
  if (rule === "exchange") return { date, instant: ms };
  return { date: zonedDate(new Date(ms), rule) };
}

/**
 * The calendar date (YYYY-MM-DD) of a date cell, instants taken at their UTC date. Accepts `YYYY-MM-DD`; an ISO
 * timestamp (its written date, in its own offset); a Date; an epoch number or bigint in seconds, ms, us or ns,
 * told apart by magnitude (parquet columns with a TIMESTAMP or DATE type arrive as Date already); an 8-digit
 * YYYYMMDD integer. The readers use toSessionDateIn, which dates bare instants by the profile's rule.
 */
export function toSessionDate(value: unknown): string {
  if (value instanceof Date) return fromEpochMs(value.getTime(), value);
  if (typeof value === "string") return fromText(value.trim());
  if (typeof value === "bigint") return fromEpochBigint(value);
  if (typeof value === "number" && Number.isFinite(value)) return fromEpochNumber(value);
  if (value === null || value === undefined) throw new BarFormatError("the date is missing");
  throw new BarFormatError(`expected a date, found ${describeType(value)}`);
}

function fromText(text: string): string {
  if (ISO_DATE.test(text)) return checkedDate(text, text);
  const match = TIMESTAMP.exec(text);
  if (!match?.[1]) throw new BarFormatError(`${show(text)} is not a date (expected YYYY-MM-DD or an ISO timestamp)`);
  // Without a zone the timestamp is wall-clock time, and with an offset it is zoned: either way its written date is
  // the session date (yfinance's 2024-01-02 00:00:00+01:00 is the 2nd in Frankfurt, though the 1st in UTC).
  return checkedDate(match[1], text);
}

function fromEpochNumber(value: number): string {
  if (Number.isInteger(value) && value >= 19000101 && value <= 21001231) {
    const text = String(value);
    return checkedDate(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`, value);
  }
  return fromEpochMs(epochMs(value), value);
}

/** Seconds, ms, us or ns since the epoch, told apart by magnitude, as ms. */
function epochMs(value: number): number {
  const size = Math.abs(value);
  return size < 1e11 ? value * 1000 : size < 1e14 ? value : size < 1e17 ? value / 1e3 : value / 1e6;
}

function fromEpochBigint(value: bigint): string {
  if (value >= -(2n ** 53n) && value <= 2n ** 53n) return fromEpochNumber(Number(value));
  // Beyond 2^53 only nanoseconds are plausible; divide in bigint so no precision is lost first.
  return fromEpochMs(Number(value / 1_000_000n), value);
}

function fromEpochMs(ms: number, original: unknown): string {
  if (!Number.isFinite(ms)) throw new BarFormatError(`${show(original)} is not a valid date`);
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) throw new BarFormatError(`${show(original)} is not a valid date`);
  const text = date.toISOString().slice(0, 10);
  if (!ISO_DATE.test(text)) throw new BarFormatError(`${show(original)} is out of the date range`);
  return text;
}

/** Rejects dates that match the pattern but not the calendar (2026-02-30). */
function checkedDate(isoDate: string, original: unknown): string {
  const [year, month, day] = isoDate.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new BarFormatError(`${show(original)} is not a calendar date`);
  }
  return isoDate;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  return String(value);
}

function describeType(value: unknown): string {
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof Date) return "a date";
  if (Array.isArray(value)) return "a list";
  return typeof value;
}
