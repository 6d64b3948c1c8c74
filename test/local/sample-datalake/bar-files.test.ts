import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Bar } from "../../../app/domain/bar.ts";
import { writeCsvBars, writeParquetBars } from "../../../local/sample-datalake/bar-files.ts";

const bars: Bar[] = [
  { date: "2026-11-24", open: 101.5, high: 103.25, low: 100.75, close: 102.125, volume: 1_234_567 },
  { date: "2026-11-25", open: 102, high: 102.5, low: 99.5, close: 100, volume: null },
];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dq-bar-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeCsvBars", () => {
  it("writes the header and one line per bar, an unknown volume left empty", async () => {
    const path = join(dir, "nested", "X.csv");
    await writeCsvBars(path, bars);
    expect(await readFile(path, "utf8")).toBe(
      "date,open,high,low,close,volume\n2026-11-24,101.5,103.25,100.75,102.125,1234567\n2026-11-25,102,102.5,99.5,100,\n",
    );
  });

  it("writes only the header for no bars", async () => {
    const path = join(dir, "EMPTY.csv");
    await writeCsvBars(path, []);
    expect(await readFile(path, "utf8")).toBe("date,open,high,low,close,volume\n");
  });
});

describe("writeParquetBars", () => {
  it("writes UTC-midnight timestamps, double prices and integer volumes", async () => {
    const path = join(dir, "X", "daily.parquet");
    await writeParquetBars(path, bars);
    const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path) });
    expect(rows).toEqual([
      {
        timestamp: new Date("2026-11-24T00:00:00Z"),
        open: 101.5,
        high: 103.25,
        low: 100.75,
        close: 102.125,
        volume: 1234567n,
      },
      { timestamp: new Date("2026-11-25T00:00:00Z"), open: 102, high: 102.5, low: 99.5, close: 100, volume: null },
    ]);
  });

  it("writes a readable file with no rows", async () => {
    const path = join(dir, "EMPTY", "daily.parquet");
    await writeParquetBars(path, []);
    expect(await parquetReadObjects({ file: await asyncBufferFromFile(path) })).toEqual([]);
  });
});
