import type { Bar } from "../../domain/bar.ts";
import { type ColumnSpec, resolveColumns } from "./columns.ts";
import { BarFormatError } from "./errors.ts";
import { type DateContext, toPrice, toSessionDateIn, toVolume } from "./values.ts";

/**
 * Bars from CSV text with a header row. Deliberately strict and small: comma-separated, no quoted commas, every
 * row as many fields as the header; blank lines are skipped. Errors name the line (1-based, header is line 1).
 * A blank or NaN price is NaN (reported by the engine on its date); a blank date makes the file unreadable.
 *
 * yfinance's multi-index layout (`yf.download(...).to_csv()`) is read too: a `Price,Close,High,...` header, a
 * `Ticker,AAPL,...` row and a `Date,,,,,` row naming the index column.
 */
export function parseCsvBars(text: string, spec: ColumnSpec, dates: DateContext = {}): Bar[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let headerIndex = lines.findIndex((line) => line.trim() !== "");
  if (headerIndex < 0) return [];
  const header = splitFields(lines[headerIndex] ?? "");
  // yfinance's extra header rows: the tickers, then the index's name alone on its row.
  for (let next = headerIndex + 1; next < lines.length; next++) {
    const fields = splitFields(lines[next] ?? "");
    const rest = fields.slice(1);
    if (fields.length !== header.length) break;
    if (fields[0]?.toLowerCase() === "ticker") headerIndex = next;
    else if (rest.every((field) => field === "") && /^[A-Za-z_]/.test(fields[0] ?? "")) {
      header[0] = fields[0] as string;
      headerIndex = next;
    } else break;
  }
  const resolved = resolveColumns(spec, header);
  if (!resolved.ok) {
    throw new BarFormatError(
      `line ${headerIndex + 1}: missing column ${resolved.missing.join(", ")} (header: ${header.join(",")})`,
    );
  }
  const { columns } = resolved;
  const at = (name: string) => header.indexOf(name);
  const index = {
    date: at(columns.date),
    open: at(columns.open),
    high: at(columns.high),
    low: at(columns.low),
    close: at(columns.close),
    volume: columns.volume === undefined ? -1 : at(columns.volume),
  };

  const bars: Bar[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const fields = splitFields(line);
    const lineNo = i + 1;
    if (fields.length !== header.length) {
      throw new BarFormatError(`line ${lineNo}: expected ${header.length} fields, found ${fields.length}`);
    }
    const cell = <T>(column: string, position: number, convert: (value: string) => T): T => {
      try {
        return convert(fields[position] ?? "");
      } catch (error) {
        if (!(error instanceof BarFormatError)) throw error;
        throw new BarFormatError(`line ${lineNo}, column ${column}: ${error.message}`, { cause: error });
      }
    };
    const { date, instant } = cell(columns.date, index.date, (value) => toSessionDateIn(value, dates));
    bars.push({
      date,
      ...(instant === undefined ? {} : { instant }),
      open: cell(columns.open, index.open, toPrice),
      high: cell(columns.high, index.high, toPrice),
      low: cell(columns.low, index.low, toPrice),
      close: cell(columns.close, index.close, toPrice),
      volume: index.volume < 0 ? null : cell(columns.volume ?? "volume", index.volume, toVolume),
    });
  }
  return bars;
}

function splitFields(line: string): string[] {
  return line.split(",").map((field) => unquote(field.trim()));
}

/** Some writers quote every field; a quoted field is taken as its content (embedded commas are not supported). */
function unquote(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"') ? field.slice(1, -1).trim() : field;
}
