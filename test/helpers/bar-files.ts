/** Daily bars as a datalake holds them: small and large series, written as CSV and as parquet. */
import { parquetWriteBuffer } from "hyparquet-writer";
import type { Bar } from "../../app/domain/bar.ts";

/** Three complete, consistent daily bars. */
export function sampleBars(): Bar[] {
  return [
    { date: "2026-01-14", open: 10, high: 11, low: 9.5, close: 10.5, volume: 1000 },
    { date: "2026-01-15", open: 10.5, high: 12, low: 10, close: 11.25, volume: 1200 },
    { date: "2026-01-16", open: 11.25, high: 11.5, low: 10.75, close: 11, volume: null },
  ];
}

export function barsToCsv(bars: readonly Bar[], header = "date,open,high,low,close,volume"): string {
  const rows = bars.map((b) => [b.date, b.open, b.high, b.low, b.close, b.volume ?? ""].join(","));
  return `${[header, ...rows].join("\n")}\n`;
}

/**
 * A parquet series as a pipeline would write it: a TIMESTAMP (ms) column at UTC midnight, DOUBLE prices and an
 * INT64 volume with nulls.
 */
export function barsToParquet(bars: readonly Bar[], timestampColumn = "timestamp"): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: timestampColumn, data: bars.map((b) => new Date(`${b.date}T00:00:00Z`)), type: "TIMESTAMP" },
      { name: "open", data: bars.map((b) => b.open), type: "DOUBLE" },
      { name: "high", data: bars.map((b) => b.high), type: "DOUBLE" },
      { name: "low", data: bars.map((b) => b.low), type: "DOUBLE" },
      { name: "close", data: bars.map((b) => b.close), type: "DOUBLE" },
      { name: "volume", data: bars.map((b) => (b.volume === null ? null : BigInt(b.volume))), type: "INT64" },
    ],
  });
  return new Uint8Array(buffer);
}

/** `count` consecutive calendar days of bars from 2020-01-01, for files big enough to need several ranged reads. */
export function manyBars(count: number): Bar[] {
  return Array.from({ length: count }, (_, i) => {
    const close = 100 + Math.sin(i / 7) * 10 + i / 100;
    return {
      date: new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10),
      open: close - 0.5,
      high: close + 1,
      low: close - 1,
      close,
      volume: 1_000_000 + i,
    };
  });
}
