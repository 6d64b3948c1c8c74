import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatalake } from "../../app/adapters/datalake/create-datalake.ts";
import { TwelveDataClient } from "../../app/adapters/twelvedata/client.ts";
import { referenceRange, validateSymbols } from "../../app/pipeline/validate.ts";
import type { SymbolResult } from "../../app/quality/types.ts";
import { type ReportModel, reportModel } from "../../app/report/report-model.ts";
import { readSeries } from "../../app/report/report-series.ts";
import { createSyntheticMarket } from "../../local/market/synthetic-market.ts";
import { generateSampleDatalake, type SampleDatalake } from "../../local/sample-datalake/index.ts";
import { startTwelveDataEmulator } from "../../local/twelvedata/emulator.ts";

/** Friday 2026-03-13, 21:30 UTC: after that day's New York close, so the report never depends on today's date. */
export const REPORT_AS_OF = "2026-03-13T21:30:00Z";

export interface SampleReport {
  lake: SampleDatalake;
  results: SymbolResult[];
  model: ReportModel;
}

/**
 * The report of the sample datalake (one injected defect per check) checked at REPORT_AS_OF against the Twelve
 * Data emulator on the same market, in process: what a session over it would show, without a stack.
 */
export async function sampleReport(): Promise<SampleReport> {
  const market = createSyntheticMarket();
  const asOf = new Date(REPORT_AS_OF);
  const lookbackDays = 10;
  const lake = await generateSampleDatalake({ dir: mkdtempSync(join(tmpdir(), "dq-report-lake-")), market, asOf });
  const emulator = await startTwelveDataEmulator({
    market,
    creditsPerMinute: 10_000,
    windowSeconds: 1,
    creditsPerDay: null,
    clock: () => asOf.getTime(),
  });
  try {
    const provider = new TwelveDataClient({
      baseUrl: emulator.url,
      apiKey: "demo",
      creditsPerWindow: 10_000,
      windowSeconds: 1,
    });
    const datalake = createDatalake({ uriTemplate: lake.uriTemplate });
    const results = await validateSymbols({ symbols: lake.symbols, asOf, lookbackDays }, datalake, provider);
    const failing = results.filter((r) => r.status === "fail").map((r) => r.symbol);
    const series = await readSeries({
      datalake,
      provider,
      symbols: failing,
      range: referenceRange(asOf, lookbackDays),
    });
    const passed = results.filter((r) => r.status === "pass").length;
    const model = reportModel(
      {
        sessionId: "sample-2026-03-13",
        status: "completed",
        asOf: REPORT_AS_OF,
        createdAt: REPORT_AS_OF,
        finishedAt: "2026-03-13T21:30:12Z",
        datalake: lake.uriTemplate,
        symbols: results.length,
        passed,
        failed: failing.length,
        errored: results.length - passed - failing.length,
        creditsUsed: results.length,
        durationMs: 12_000,
      },
      results,
      series,
      "2026-03-13T21:31:00Z",
    );
    return { lake, results, model };
  } finally {
    await emulator.close();
  }
}
