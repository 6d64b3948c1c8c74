import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { addDays } from "../../app/calendar/iso-date.ts";
import { lastCompleteSession, tradingDays } from "../../app/calendar/nyse-calendar.ts";
import { symbolToPathSegment } from "../../app/domain/symbol.ts";
import type { CheckCode } from "../../app/quality/types.ts";
import { createSyntheticMarket } from "../market/synthetic-market.ts";
import type { MarketData } from "../market/types.ts";
import { writeCsvBars, writeParquetBars } from "./bar-files.ts";
import { type DefectWindow, MIN_LOOKBACK_DAYS, MIN_WINDOW_SESSIONS, planDefects } from "./defect-plan.ts";
import { SampleDatalakeError } from "./sample-datalake-error.ts";

export type SampleFormat = "csv" | "parquet" | "both";

export interface SampleDatalakeOptions {
  /** Created when missing. Files of symbols not generated this time are left alone. */
  dir: string;
  /** @default createSyntheticMarket() */
  market?: MarketData;
  /** The instant the datalake is a snapshot of: it holds every session complete by then. */
  asOf: Date;
  /** @default every symbol of the market */
  symbols?: string[];
  /** @default "csv" */
  format?: SampleFormat;
  /** The window the defects are placed in, as the engine's lookbackDays. At least 7. @default 10 */
  lookbackDays?: number;
}

export interface SampleDatalake {
  /** The datalake URI template (`file://.../{symbol}.csv`); the Parquet one when format is "parquet". */
  uriTemplate: string;
  uriTemplates: { csv?: string; parquet?: string };
  /** Every symbol written, sorted. */
  symbols: string[];
  /**
   * The codes a correct engine reports per symbol with every check enabled; [] for a clean symbol.
   * volume_mismatch is off by default, so drop it when comparing with a run on default options.
   */
  labels: Record<string, CheckCode[]>;
  defects: { symbol: string; code: CheckCode; description: string }[];
  /** The last complete session at asOf, where the engine's window ends. */
  lastSession: string;
}

/**
 * Writes a datalake of daily bars taken from a market, with one injected defect per check code on its own
 * symbol, plus `labels.json` saying what a correct engine must find. The clean symbols equal the market's
 * split-adjusted history exactly, so they pass against a reference served from the same market.
 */
export async function generateSampleDatalake(options: SampleDatalakeOptions): Promise<SampleDatalake> {
  const market = options.market ?? createSyntheticMarket();
  const format = options.format ?? "csv";
  const lookbackDays = options.lookbackDays ?? 10;
  if (!Number.isInteger(lookbackDays) || lookbackDays < MIN_LOOKBACK_DAYS)
    throw new SampleDatalakeError(
      `lookbackDays must be an integer of at least ${MIN_LOOKBACK_DAYS}, got ${lookbackDays}`,
    );

  const known = new Set(market.symbols());
  const symbols = [...new Set(options.symbols ?? known)].sort();
  for (const symbol of symbols) {
    symbolToPathSegment(symbol);
    if (!known.has(symbol)) throw new SampleDatalakeError(`symbol ${symbol} is not in the market`);
  }

  const lastSession = lastCompleteSession(options.asOf);
  const windowStart = addDays(lastSession, -(lookbackDays - 1));
  const window: DefectWindow = {
    market,
    asOf: options.asOf,
    lastSession,
    windowStart,
    sessions: tradingDays(windowStart, lastSession),
  };
  if (window.sessions.length < MIN_WINDOW_SESSIONS)
    throw new SampleDatalakeError(
      `the window ${windowStart}..${lastSession} has ${window.sessions.length} sessions; the defects need ${MIN_WINDOW_SESSIONS}`,
    );

  const plan = new Map(planDefects(symbols, window).map((d) => [d.symbol, d]));
  const dir = resolve(options.dir);
  const writeCsv = format === "csv" || format === "both";
  const writeParquet = format === "parquet" || format === "both";
  const labels: Record<string, CheckCode[]> = {};
  await Promise.all(
    symbols.map(async (symbol) => {
      // Today's bar is partial until the close: a datalake only ever holds complete sessions.
      const complete = market.dailyBars(symbol, options.asOf).filter((b) => b.date <= lastSession);
      const defect = plan.get(symbol);
      const bars = defect === undefined ? complete : defect.apply(complete, symbol, window);
      labels[symbol] = defect === undefined ? [] : [...defect.labels];
      const segment = symbolToPathSegment(symbol);
      if (writeCsv) await writeCsvBars(join(dir, `${segment}.csv`), bars);
      if (writeParquet) await writeParquetBars(join(dir, segment, "daily.parquet"), bars);
    }),
  );
  const sortedLabels = Object.fromEntries(symbols.map((s) => [s, labels[s] ?? []]));
  await writeFile(join(dir, "labels.json"), `${JSON.stringify(sortedLabels, null, 2)}\n`);

  const base = pathToFileURL(dir).href;
  const uriTemplates = {
    ...(writeCsv ? { csv: `${base}/{symbol}.csv` } : {}),
    ...(writeParquet ? { parquet: `${base}/{symbol}/daily.parquet` } : {}),
  };
  return {
    uriTemplate: uriTemplates.csv ?? uriTemplates.parquet ?? "",
    uriTemplates,
    symbols,
    labels: sortedLabels,
    defects: [...plan.values()].map((d) => ({ symbol: d.symbol, code: d.code, description: d.description })),
    lastSession,
  };
}
