import type { AsyncBuffer } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { columnSpec } from "../../../app/adapters/datalake/columns.ts";
import { BarFormatError } from "../../../app/adapters/datalake/errors.ts";
import { readParquetBars } from "../../../app/adapters/datalake/parquet-bars.ts";
import { barsToParquet, sampleBars } from "../../helpers/bar-files.ts";

const spec = columnSpec();

function inMemory(bytes: Uint8Array | ArrayBuffer): AsyncBuffer {
  const buffer = bytes instanceof ArrayBuffer ? bytes : bytes.slice().buffer;
  return { byteLength: buffer.byteLength, slice: (start, end) => buffer.slice(start, end) };
}

describe("readParquetBars", () => {
  it("reads a TIMESTAMP column, DOUBLE prices and an INT64 volume with nulls", async () => {
    const bars = await readParquetBars(inMemory(barsToParquet(sampleBars())), spec);

    expect(bars).toEqual(sampleBars());
  });

  it("finds a date column named datetime", async () => {
    const bars = await readParquetBars(inMemory(barsToParquet(sampleBars(), "datetime")), spec);

    expect(bars.map((bar) => bar.date)).toEqual(["2026-01-14", "2026-01-15", "2026-01-16"]);
  });

  it("reads an un-annotated INT64 microsecond timestamp, string prices and no volume column", async () => {
    const file = parquetWriteBuffer({
      columnData: [
        { name: "ts", data: [BigInt(Date.UTC(2026, 0, 16)) * 1000n], type: "INT64" },
        { name: "open", data: ["1.5"], type: "STRING" },
        { name: "high", data: [2n], type: "INT64" },
        { name: "low", data: [1], type: "INT32" },
        { name: "close", data: [1.75], type: "FLOAT" },
      ],
    });

    const bars = await readParquetBars(inMemory(file), columnSpec({ date: "ts" }));

    expect(bars).toEqual([{ date: "2026-01-16", open: 1.5, high: 2, low: 1, close: 1.75, volume: null }]);
  });

  it("reads a NaN price as a missing value", async () => {
    const bars = sampleBars();
    bars[1] = { ...bars[1], close: Number.NaN } as (typeof bars)[number];

    const read = await readParquetBars(inMemory(barsToParquet(bars)), spec);

    expect(read[1]?.close).toBeNaN();
  });

  it("rejects a truncated file", async () => {
    const whole = barsToParquet(sampleBars());

    await expect(readParquetBars(inMemory(whole.slice(0, whole.byteLength - 20)), spec)).rejects.toThrow(
      /not a readable parquet file/,
    );
  });

  it("rejects a file without a price column", async () => {
    const file = parquetWriteBuffer({
      columnData: [
        { name: "date", data: ["2026-01-16"], type: "STRING" },
        { name: "close", data: [1], type: "DOUBLE" },
      ],
    });

    await expect(readParquetBars(inMemory(file), spec)).rejects.toThrow(/missing column open\|o, high\|h, low\|l/);
  });

  it("rejects a price column of the wrong type", async () => {
    const file = parquetWriteBuffer({
      columnData: [
        { name: "date", data: ["2026-01-16"], type: "STRING" },
        { name: "open", data: [true], type: "BOOLEAN" },
        { name: "high", data: [1], type: "DOUBLE" },
        { name: "low", data: [1], type: "DOUBLE" },
        { name: "close", data: [1], type: "DOUBLE" },
      ],
    });

    await expect(readParquetBars(inMemory(file), spec)).rejects.toThrow(BarFormatError);
  });
});
