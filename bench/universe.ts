import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addDays } from "../app/calendar/iso-date.ts";
import { exchangeDate } from "../app/calendar/nyse-calendar.ts";
import { createSyntheticMarket, type InstrumentSpec } from "../local/market/synthetic-market.ts";
import type { MarketData } from "../local/market/types.ts";
import { generateSampleDatalake, type SampleDatalake } from "../local/sample-datalake/index.ts";

export interface BenchUniverse {
  market: MarketData;
  sample: SampleDatalake;
  asOf: Date;
  /** Removes the datalake's temporary directory. */
  dispose(): void;
}

/**
 * `count` synthetic listings (B00000, B00001, …) with deterministic prices, and a CSV datalake of them in a
 * temporary directory, with the sample datalake's injected defects. Histories start 120 days back, enough for
 * the 10-day lookback, so a market of 10,000 symbols stays cheap to simulate.
 */
export async function createBenchUniverse(count: number, asOf = new Date()): Promise<BenchUniverse> {
  const instruments: InstrumentSpec[] = [];
  for (let i = 0; i < count; i++) {
    instruments.push({
      symbol: `B${String(i).padStart(5, "0")}`,
      exchange: i % 2 === 0 ? "NASDAQ" : "NYSE",
      startPrice: 10 + ((i * 37) % 490),
      averageVolume: 1_000_000 + ((i * 7919) % 9_000_000),
      dailyVolPct: 1 + (i % 3),
    });
  }
  const market = createSyntheticMarket({ instruments, from: addDays(exchangeDate(asOf), -120) });
  const dir = mkdtempSync(join(tmpdir(), "dq-bench-"));
  try {
    const sample = await generateSampleDatalake({ dir, market, asOf });
    return { market, sample, asOf, dispose: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
