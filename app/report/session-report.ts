import type { Datalake, ReferenceProvider } from "../domain/ports.ts";
import type { SessionRecord, StoredResult } from "../pipeline/model.ts";
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
  /** Absent: charts of the datalake's series alone, no credit spent. */
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
  const model = reportModel(figuresOf(session), results, series, (options.now ?? new Date()).toISOString());
  return { html: reportPage(model), model };
}
