import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { Bar } from "../../app/domain/bar.ts";

export const CSV_HEADER = "date,open,high,low,close,volume";

/** Bars as CSV text, header first, in the order given; a null volume is an empty field. */
export function formatCsvBars(bars: readonly Bar[]): string {
  const lines = [CSV_HEADER];
  for (const b of bars) lines.push(`${b.date},${b.open},${b.high},${b.low},${b.close},${b.volume ?? ""}`);
  return `${lines.join("\n")}\n`;
}

/** Writes bars as `date,open,high,low,close,volume` CSV, creating the parent directory. */
export async function writeCsvBars(path: string, bars: readonly Bar[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, formatCsvBars(bars));
}

/**
 * Bars as a Parquet file the way data teams usually store them: `timestamp` (TIMESTAMP_MILLIS, UTC midnight
 * of the session date), `open`/`high`/`low`/`close` (DOUBLE) and `volume` (INT64, null where unknown).
 */
export function parquetBarsBuffer(bars: readonly Bar[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: "timestamp", type: "TIMESTAMP", data: bars.map((b) => new Date(`${b.date}T00:00:00Z`)) },
      { name: "open", type: "DOUBLE", data: bars.map((b) => b.open) },
      { name: "high", type: "DOUBLE", data: bars.map((b) => b.high) },
      { name: "low", type: "DOUBLE", data: bars.map((b) => b.low) },
      { name: "close", type: "DOUBLE", data: bars.map((b) => b.close) },
      {
        name: "volume",
        type: "INT64",
        data: bars.map((b) => (b.volume === null ? null : BigInt(Math.round(b.volume)))),
      },
    ],
  });
}

/** Writes bars as Parquet (see parquetBarsBuffer), creating the parent directory. */
export async function writeParquetBars(path: string, bars: readonly Bar[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, new Uint8Array(parquetBarsBuffer(bars)));
}
