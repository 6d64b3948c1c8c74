import { toEpochDay } from "../../app/calendar/iso-date.ts";
import { exchangeDate, NYSE_TIMEZONE, sessionFraction } from "../../app/calendar/nyse-calendar.ts";
import type { Bar } from "../../app/domain/bar.ts";
import { isValidSymbol } from "../../app/domain/symbol.ts";
import { DEFAULT_INSTRUMENTS, EXCHANGES, type InstrumentSpec } from "./instruments.ts";
import { hashString, mulberry32 } from "./prng.ts";
import { partialBar, SimulatedSeries, type SimulatedSession } from "./simulated-series.ts";
import type { InstrumentMeta, MarketData, Split } from "./types.ts";

export { DEFAULT_INSTRUMENTS, type InstrumentSpec } from "./instruments.ts";

/** An instrument definition the synthetic market cannot simulate. */
export class InvalidInstrumentError extends Error {
  override name = "InvalidInstrumentError";
  readonly symbol: string;
  constructor(symbol: string, problem: string) {
    super(`invalid instrument ${JSON.stringify(symbol)}: ${problem}`);
    this.symbol = symbol;
  }
}

export interface SyntheticMarketOptions {
  /** Same seed, same history, on every machine. @default 1 */
  seed?: number;
  /** @default DEFAULT_INSTRUMENTS */
  instruments?: readonly InstrumentSpec[];
  /** First simulated session (or the next trading day after it). @default "2024-01-02" */
  from?: string;
}

interface Instrument {
  spec: InstrumentSpec;
  meta: InstrumentMeta;
  splits: Split[];
  series: SimulatedSeries | undefined;
}

function validate(spec: InstrumentSpec): Split[] {
  if (!isValidSymbol(spec.symbol)) throw new InvalidInstrumentError(spec.symbol, "not a valid symbol");
  if (!(spec.startPrice > 0)) throw new InvalidInstrumentError(spec.symbol, "startPrice must be positive");
  if (!(spec.averageVolume > 0)) throw new InvalidInstrumentError(spec.symbol, "averageVolume must be positive");
  const splits = [...(spec.splits ?? [])].sort((a, b) => (a.date < b.date ? -1 : 1));
  for (const split of splits) {
    toEpochDay(split.date);
    if (!(split.ratio > 0) || split.ratio === 1)
      throw new InvalidInstrumentError(spec.symbol, `split ${split.date} needs a positive ratio other than 1`);
  }
  return splits;
}

/**
 * A market of seeded random walks on the NYSE calendar, served the way the reference provider serves it.
 * Histories are generated per symbol on first use and kept; a complete session never depends on `asOf`.
 */
export function createSyntheticMarket(options: SyntheticMarketOptions = {}): MarketData {
  const seed = options.seed ?? 1;
  const from = options.from ?? "2024-01-02";
  toEpochDay(from);
  const instruments = new Map<string, Instrument>();
  for (const spec of options.instruments ?? DEFAULT_INSTRUMENTS) {
    const splits = validate(spec);
    if (instruments.has(spec.symbol)) throw new InvalidInstrumentError(spec.symbol, "listed twice");
    instruments.set(spec.symbol, {
      spec: { ...spec, splits },
      splits,
      series: undefined,
      meta: {
        symbol: spec.symbol,
        exchange: spec.exchange,
        micCode: EXCHANGES[spec.exchange].micCode,
        currency: "USD",
        exchangeTimezone: NYSE_TIMEZONE,
        type: spec.type ?? "Common Stock",
      },
    });
  }
  const symbols = [...instruments.keys()].sort();

  /** Unadjusted bars of every session opened before `asOf`, the last one partial while its session runs. */
  function rawBars(symbol: string, asOf: Date): Bar[] {
    const instrument = instruments.get(symbol);
    if (instrument === undefined) return [];
    // Each symbol draws from its own stream, so asking for one symbol never shifts another's history.
    instrument.series ??= new SimulatedSeries(instrument.spec, from, mulberry32(hashString(symbol, seed)));
    const today = exchangeDate(asOf);
    instrument.series.extendTo(today);
    const bars: Bar[] = [];
    for (const session of instrument.series.sessions) {
      if (session.date > today) break;
      const fraction = session.date < today ? 1 : sessionFraction(session.date, asOf);
      if (fraction === 0) break;
      bars.push(fraction === 1 ? fullBar(session) : partialBar(session, fraction));
    }
    return bars;
  }

  return {
    symbols: () => [...symbols],
    meta: (symbol) => {
      const meta = instruments.get(symbol)?.meta;
      return meta === undefined ? undefined : { ...meta };
    },
    splits: (symbol) => (instruments.get(symbol)?.splits ?? []).map((s) => ({ ...s })),
    unadjustedDailyBars: rawBars,
    dailyBars(symbol, asOf) {
      const raw = rawBars(symbol, asOf);
      const today = exchangeDate(asOf);
      // A split is known from the morning of its ex-date, as providers apply it overnight.
      const known = (instruments.get(symbol)?.splits ?? []).filter((s) => s.date <= today);
      if (known.length === 0) return raw;
      return raw.map((bar) => adjust(bar, known));
    },
  };
}

function fullBar(session: SimulatedSession): Bar {
  const { date, open, high, low, close, volume } = session;
  return { date, open, high, low, close, volume };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Divides prices (and multiplies volume) by the ratios of the known splits after the bar's date. */
function adjust(bar: Bar, splits: readonly Split[]): Bar {
  let factor = 1;
  for (const split of splits) if (split.date > bar.date) factor *= split.ratio;
  if (factor === 1) return bar;
  return {
    date: bar.date,
    open: round6(bar.open / factor),
    high: round6(bar.high / factor),
    low: round6(bar.low / factor),
    close: round6(bar.close / factor),
    volume: bar.volume === null ? null : Math.max(1, Math.round(bar.volume * factor)),
  };
}
