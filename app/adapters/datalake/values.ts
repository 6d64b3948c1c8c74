import { ISO_DATE } from "../../domain/bar.ts";
import { BarFormatError } from "./errors.ts";

/**
 * Cell values as a series holds them (CSV text, or what hyparquet decodes) turned into a bar's fields.
 * Each function throws BarFormatError with the reason; the reader adds the row and the column.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const MISSING_VOLUME = new Set(["", "null", "na", "nan", "none"]);

/** A strict decimal: no hex, no blanks, no `Infinity`; undefined when the text is not one. */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/** A finite price. Zero and negative prices pass: they are data the engine flags, not unreadable cells. */
export function toPrice(value: unknown): number {
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    throw new BarFormatError(`${value} is not a price`);
  }
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") {
    const parsed = parseDecimal(value);
    if (parsed === undefined) throw new BarFormatError(`${show(value)} is not a number`);
    return parsed;
  }
  if (value === null || value === undefined) throw new BarFormatError("the price is missing");
  throw new BarFormatError(`expected a number, found ${describeType(value)}`);
}

/** Volume, or null where the series has none (an empty cell, null, or NaN as pandas writes a missing float). */
export function toVolume(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isNaN(value) ? null : toPrice(value);
  if (typeof value === "string" && MISSING_VOLUME.has(value.trim().toLowerCase())) return null;
  return toPrice(value);
}

/**
 * The UTC calendar date (YYYY-MM-DD) of a date cell. Accepts `YYYY-MM-DD`; an ISO timestamp (with a zone: its UTC
 * date; without one: the date as written); a Date; an epoch number or bigint in seconds, ms, us or ns, told apart
 * by magnitude (parquet columns with a TIMESTAMP or DATE type arrive as Date already); an 8-digit YYYYMMDD integer.
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
  checkedDate(match[1], text);
  // Without a zone the timestamp is wall-clock time: its written date is the session date.
  const zone = match[2];
  if (!zone) return match[1];
  // Date.parse reliably reads only the ±HH:MM form of an offset.
  const offset = zone.toUpperCase() === "Z" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(3).replace(":", "") || "00"}`;
  const local = text.slice(0, text.length - zone.length).replace(" ", "T");
  return fromEpochMs(Date.parse(`${local}${offset}`), text);
}

function fromEpochNumber(value: number): string {
  if (Number.isInteger(value) && value >= 19000101 && value <= 21001231) {
    const text = String(value);
    return checkedDate(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`, value);
  }
  const size = Math.abs(value);
  const ms = size < 1e11 ? value * 1000 : size < 1e14 ? value : size < 1e17 ? value / 1e3 : value / 1e6;
  return fromEpochMs(ms, value);
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
