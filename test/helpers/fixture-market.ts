import type { Bar } from "../../app/domain/bar.ts";
import type { InstrumentMeta, MarketData } from "../../local/market/types.ts";

/** First session of the fixture (a Monday). Every weekday after it is a session; there are no holidays. */
export const FIXTURE_START = "2025-12-01";

/** Sessions run 14:30-21:00 UTC for every instrument: a bar dated today exists from the open, partial until the close. */
const OPEN_UTC_MS = (14 * 60 + 30) * 60_000;
const CLOSE_UTC_MS = 21 * 60 * 60_000;

interface Instrument {
  meta: InstrumentMeta;
  basePrice: number;
  hasVolume: boolean;
  /** Prices that are not numbers, as a broken feed would send them. */
  broken?: boolean;
}

const instrument = (
  symbol: string,
  exchange: string,
  micCode: string,
  exchangeTimezone: string,
  basePrice: number,
  extra: Partial<Instrument> = {},
): Instrument => ({
  meta: { symbol, exchange, micCode, currency: "USD", exchangeTimezone, type: "Common Stock" },
  basePrice,
  hasVolume: true,
  ...extra,
});

const INSTRUMENTS: Instrument[] = [
  instrument("AAPL", "NASDAQ", "XNAS", "America/New_York", 200),
  instrument("MSFT", "NASDAQ", "XNAS", "America/New_York", 400),
  instrument("BRK.B", "NYSE", "XNYS", "America/New_York", 450),
  instrument("EUR/USD", "Physical Currency", "", "UTC", 1.1, { hasVolume: false }),
  instrument("BAD", "NYSE", "XNYS", "America/New_York", 10, { broken: true }),
];

/** The complete close of a session, to compare with what the emulator or the client hands back. */
export function fixtureClose(symbol: string, date: string): number {
  const found = INSTRUMENTS.find((i) => i.meta.symbol === symbol);
  if (!found) throw new Error(`no fixture instrument ${symbol}`);
  return fullBar(found, sessionIndex(date), date).close;
}

/** A small MarketData with a few symbols on a weekday calendar, for the emulator's and the client's tests. */
export function createFixtureMarket(): MarketData {
  const bySymbol = new Map(INSTRUMENTS.map((i) => [i.meta.symbol, i]));
  const bars = (symbol: string, asOf: Date): Bar[] => {
    const found = bySymbol.get(symbol);
    return found ? barsUpTo(found, asOf.getTime()) : [];
  };
  return {
    symbols: () => [...bySymbol.keys()].sort(),
    meta: (symbol) => bySymbol.get(symbol)?.meta,
    dailyBars: bars,
    unadjustedDailyBars: bars,
    splits: () => [],
  };
}

function barsUpTo(found: Instrument, asOf: number): Bar[] {
  const out: Bar[] = [];
  for (let day = Date.parse(`${FIXTURE_START}T00:00:00Z`), index = 0; day + OPEN_UTC_MS < asOf; day += 86_400_000) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const date = new Date(day).toISOString().slice(0, 10);
    const bar = fullBar(found, index, date);
    out.push(asOf < day + CLOSE_UTC_MS ? partial(bar) : bar);
    index++;
  }
  return out;
}

function fullBar(found: Instrument, index: number, date: string): Bar {
  const open = found.basePrice * (1 + 0.01 * index);
  const close = found.broken ? Number.NaN : open * 1.005;
  return {
    date,
    open,
    high: Math.max(open, close) * 1.01,
    low: Math.min(open, close) * 0.99,
    close,
    volume: found.hasVolume ? 1_000_000 + index * 1000 : null,
  };
}

/** Today's bar while the session is open: the move so far, half the volume. */
function partial(bar: Bar): Bar {
  const close = bar.open * 1.002;
  return { ...bar, close, high: close * 1.001, volume: bar.volume === null ? null : bar.volume / 2 };
}

function sessionIndex(date: string): number {
  let index = 0;
  for (let day = Date.parse(`${FIXTURE_START}T00:00:00Z`); day < Date.parse(`${date}T00:00:00Z`); day += 86_400_000) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) index++;
  }
  return index;
}
