import type { AsyncBuffer } from "hyparquet";
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import type { Bar } from "../../domain/bar.ts";
import { type ColumnSpec, resolveColumns } from "./columns.ts";
import { BarFormatError } from "./errors.ts";
import { type DateContext, toPrice, toSessionDateIn, toVolume } from "./values.ts";

export interface ParquetReadOptions {
  /**
   * Bytes read from the end of the file for the footer in the first request. A daily series is small, so the
   * footer read usually brings the whole file; larger files cost one more ranged read per column chunk.
   * @default 65536
   */
  footerBytes?: number;
  /** How bare instants are dated. @default "auto" */
  instants?: DateContext["instants"];
}

/**
 * Bars from a parquet file, read through hyparquet. Columns with a TIMESTAMP or DATE type decode to Date;
 * an un-annotated INT64 timestamp arrives as bigint and is read by magnitude (see toSessionDateIn). A tz-aware
 * pandas column (TIMESTAMP adjusted to UTC, its zone in the file's `pandas` metadata) gives each value's date in
 * that zone; a TIMESTAMP not adjusted to UTC is wall-clock time. Null and NaN prices are NaN.
 * Throws BarFormatError for a file that is not parquet, lacks a column, or holds a value of the wrong kind.
 */
export async function readParquetBars(
  file: AsyncBuffer,
  spec: ColumnSpec,
  options: ParquetReadOptions = {},
): Promise<Bar[]> {
  const metadata = await parquetMetadataAsync(file, { initialFetchSize: options.footerBytes ?? 65_536 }).catch(
    (error: unknown) => {
      throw new BarFormatError(`not a readable parquet file: ${errorMessage(error)}`, { cause: error });
    },
  );
  const available = parquetSchema(metadata).children.map((child) => child.element.name);
  const resolved = resolveColumns(spec, available);
  if (!resolved.ok) {
    throw new BarFormatError(`missing column ${resolved.missing.join(", ")} (columns: ${available.join(",")})`);
  }
  const { columns } = resolved;
  const wanted = [columns.date, columns.open, columns.high, columns.low, columns.close];
  if (columns.volume !== undefined) wanted.push(columns.volume);

  const dates = dateContext(metadata, columns.date, options.instants);
  const rows = await parquetReadObjects({ file, metadata, columns: wanted }).catch((error: unknown) => {
    throw new BarFormatError(`parquet data unreadable: ${errorMessage(error)}`, { cause: error });
  });
  return rows.map((row, i) => {
    const cell = <T>(column: string, convert: (value: unknown) => T): T => {
      try {
        return convert(row[column]);
      } catch (error) {
        if (!(error instanceof BarFormatError)) throw error;
        throw new BarFormatError(`row ${i + 1}, column ${column}: ${error.message}`, { cause: error });
      }
    };
    const { date, instant } = cell(columns.date, (value) => toSessionDateIn(value, dates));
    return {
      date,
      ...(instant === undefined ? {} : { instant }),
      open: cell(columns.open, toPrice),
      high: cell(columns.high, toPrice),
      low: cell(columns.low, toPrice),
      close: cell(columns.close, toPrice),
      volume: columns.volume === undefined ? null : cell(columns.volume, toVolume),
    };
  });
}

type Metadata = Awaited<ReturnType<typeof parquetMetadataAsync>>;

/** What the file says about its date column: wall-clock or UTC-adjusted, and pandas' zone for a tz-aware column. */
function dateContext(metadata: Metadata, column: string, instants: DateContext["instants"]): DateContext {
  const element = parquetSchema(metadata).children.find((child) => child.element.name === column)?.element;
  const logical = element?.logical_type;
  const context: DateContext = { instants };
  if (logical?.type === "TIMESTAMP" && logical.isAdjustedToUTC === false) context.wallClock = true;
  const zone = pandasZone(metadata, column);
  if (zone !== undefined) context.columnZone = zone;
  return context;
}

/** The `timezone` pandas records for a tz-aware column in the file's `pandas` key-value metadata. */
function pandasZone(metadata: Metadata, column: string): string | undefined {
  const raw = metadata.key_value_metadata?.find((kv) => kv.key === "pandas")?.value;
  if (!raw) return undefined;
  try {
    const pandas = JSON.parse(raw) as {
      columns?: { name?: string | null; field_name?: string; metadata?: { timezone?: string } | null }[];
    };
    const entry = pandas.columns?.find((c) => c.field_name === column || c.name === column);
    const zone = entry?.metadata?.timezone;
    if (!zone) return undefined;
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
