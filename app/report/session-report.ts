import type { Datalake, ReferenceProvider } from "../domain/ports.ts";
import { barOfRow, type SessionRecord, type StoredResult } from "../pipeline/model.ts";
import { referenceRange } from "../pipeline/validate.ts";
import { figuresOf, type ReportModel, reportModel, worstFirst } from "./report-model.ts";
import { reportPage } from "./report-page.ts";
import { readSeries } from "./report-series.ts";

export interface SessionReportOptions {
  /** The session and every result of it (Operations.allResults). */
  session: SessionRecord;
  results: readonly StoredResult[];
  /** The session's datalake (its params.datalake), for the subject series. */
  datalake: Datalake;
  /**
   * Absent: each chart's reference is what the processor kept with the failing result (no credit spent), else
   * the datalake's series is drawn alone.
   */
  provider?: ReferenceProvider;
  /** Failing symbols, worst first, whose series are read (one credit each with a provider). @default 50 */
  charts?: number;
  /** @default new Date() */
  now?: Date;
}

/** A finished (or running) session's report page and the model it shows. */
export async function sessionReport(options: SessionReportOptions): Promise<{ html: string; model: ReportModel }> {
  const { session, results } = options;
  const charted = worstFirst(results)
    .slice(0, options.charts ?? 50)
    .map((r) => r.symbol);
  const series = await readSeries({
    datalake: options.datalake,
    provider: options.provider,
    symbols: charted,
    range: referenceRange(new Date(session.params.asOf), session.params.lookbackDays),
    batchSize: session.params.batchSize,
  });
  if (!options.provider) {
    for (const result of results) {
      const drawn = series.get(result.symbol);
      if (drawn && drawn.reference.length === 0 && result.reference)
        series.set(result.symbol, { ...drawn, reference: result.reference.map(barOfRow) });
    }
  }
  const model = reportModel(figuresOf(session), results, series, (options.now ?? new Date()).toISOString());
  return { html: reportPage(model), model };
}
