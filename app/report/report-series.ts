import type { DailyRange, Datalake, ReferenceOutcome, ReferenceProvider } from "../domain/ports.ts";
import type { SymbolSeries } from "./report-model.ts";

export interface ReadSeriesOptions {
  datalake: Datalake;
  /** Absent: the charts draw the datalake's series alone (no credit spent). */
  provider?: ReferenceProvider;
  symbols: readonly string[];
  /** The session's reference range (pipeline/validate.ts referenceRange). */
  range: DailyRange;
  /** Symbols per provider request. @default 8 */
  batchSize?: number;
}

/**
 * The two series of each charted symbol: the datalake's bars in the session's range and the provider's. A symbol
 * whose datalake read or provider answer fails is charted with what could be read: a report never fails for a chart.
 */
export async function readSeries(options: ReadSeriesOptions): Promise<Map<string, SymbolSeries>> {
  const { datalake, provider, symbols, range } = options;
  const inRange = (date: string) => date >= range.startDate && date <= range.endDate;
  const out = new Map<string, SymbolSeries>();
  for (const symbol of symbols) {
    const bars = await datalake.readBars(symbol).catch(() => []);
    out.set(symbol, { subject: bars.filter((b) => inRange(b.date)), reference: [] });
  }
  if (!provider) return out;
  const size = options.batchSize ?? 8;
  for (let i = 0; i < symbols.length; i += size) {
    const batch = symbols.slice(i, i + size);
    const answer = await provider.dailyBars(batch, range).catch(() => new Map<string, ReferenceOutcome>());
    for (const symbol of batch) {
      const outcome = answer.get(symbol);
      const current = out.get(symbol);
      if (outcome?.ok && current)
        out.set(symbol, { ...current, reference: outcome.series.bars.filter((b) => inRange(b.date)) });
    }
  }
  return out;
}
