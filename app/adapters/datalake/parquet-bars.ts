import type { AsyncBuffer } from "hyparquet";
import { parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import type { Bar } from "../../domain/bar.ts";
import { type ColumnSpec, resolveColumns } from "./columns.ts";
import { BarFormatError } from "./errors.ts";
import { toPrice, toSessionDate, toVolume } from "./values.ts";

export interface ParquetReadOptions {
  /**
   * Bytes read from the end of the file for the footer in the first request. A daily series is small, so the
   * footer read usually brings the whole file; larger files cost one more ranged read per column chunk.
   * @default 65536
   */
  footerBytes?: number;
}

/**
 * Bars from a parquet file, read through hyparquet. Columns with a TIMESTAMP or DATE type decode to Date;
 * an un-annotated INT64 timestamp arrives as bigint and is read by magnitude (see toSessionDate).
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
    return {
      date: cell(columns.date, toSessionDate),
      open: cell(columns.open, toPrice),
      high: cell(columns.high, toPrice),
      low: cell(columns.low, toPrice),
      close: cell(columns.close, toPrice),
      volume: columns.volume === undefined ? null : cell(columns.volume, toVolume),
    };
  });
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
