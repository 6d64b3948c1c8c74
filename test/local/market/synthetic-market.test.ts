import { describe, expect, it } from "vitest";
import { tradingDays } from "../../../app/calendar/nyse-calendar.ts";
import type { Bar } from "../../../app/domain/bar.ts";
import {
  createSyntheticMarket,
  DEFAULT_INSTRUMENTS,
  type InstrumentSpec,
  InvalidInstrumentError,
} from "../../../local/market/synthetic-market.ts";

const AFTER_CLOSE = new Date("2026-11-28T12:00:00Z");
const on = (bars: Bar[], date: string) => bars.find((b) => b.date === date);
const ohlcProblems = (bars: Bar[]) =>
  bars.filter(
    (b) =>
      !(b.low > 0) ||
      b.low > Math.min(b.open, b.close) ||
      Math.max(b.open, b.close) > b.high ||
      !Number.isInteger(b.volume) ||
      !((b.volume ?? 0) > 0),
  );

const single: InstrumentSpec = { symbol: "TEST", exchange: "NYSE", startPrice: 100, averageVolume: 1_000_000 };

describe("synthetic market history", () => {
  it("is identical for the same seed", () => {
    const a = createSyntheticMarket({ seed: 5 }).dailyBars("MSFT", AFTER_CLOSE);
    const b = createSyntheticMarket({ seed: 5 }).dailyBars("MSFT", AFTER_CLOSE);
    expect(a).toEqual(b);
  });

  it("differs for another seed", () => {
    const a = createSyntheticMarket({ seed: 5 }).dailyBars("MSFT", AFTER_CLOSE);
    const b = createSyntheticMarket({ seed: 6 }).dailyBars("MSFT", AFTER_CLOSE);
    expect(a.at(-1)?.close).not.toBe(b.at(-1)?.close);
  });

  it("gives a symbol the same history whichever symbols were asked for before", () => {
    const fresh = createSyntheticMarket().dailyBars("AAPL", AFTER_CLOSE);
    const busy = createSyntheticMarket();
    busy.dailyBars("MSFT", AFTER_CLOSE);
    expect(busy.dailyBars("AAPL", AFTER_CLOSE)).toEqual(fresh);
  });

  it("never changes a complete session when asked later, or first for a later instant", () => {
    const early = createSyntheticMarket().dailyBars("NVDA", new Date("2025-03-01T00:00:00Z"));
    const market = createSyntheticMarket();
    market.dailyBars("NVDA", AFTER_CLOSE);
    expect(market.dailyBars("NVDA", new Date("2025-03-01T00:00:00Z"))).toEqual(early);
  });

  it("has a bar on every NYSE trading day from `from` and on no other day", () => {
    const bars = createSyntheticMarket({ instruments: [single], from: "2025-01-01" }).dailyBars("TEST", AFTER_CLOSE);
    expect(bars.map((b) => b.date)).toEqual(tradingDays("2025-01-01", "2026-11-27"));
  });

  it("has half-day sessions and no bar on Thanksgiving or Good Friday", () => {
    const bars = createSyntheticMarket().dailyBars("AAPL", AFTER_CLOSE);
    expect([on(bars, "2025-11-28"), on(bars, "2026-11-27")].every((b) => b !== undefined)).toBe(true);
    expect([on(bars, "2026-11-26"), on(bars, "2026-04-03")]).toEqual([undefined, undefined]);
  });

  it("keeps every bar of every default symbol OHLC-consistent with a positive whole volume", () => {
    const market = createSyntheticMarket();
    const problems = market
      .symbols()
      .flatMap((s) => [...market.dailyBars(s, AFTER_CLOSE), ...market.unadjustedDailyBars(s, AFTER_CLOSE)])
      .filter((b) => ohlcProblems([b]).length > 0);
    expect(problems).toEqual([]);
  });

  it("moves each default symbol by a realistic 0.5 % to 4 % a day", () => {
    const market = createSyntheticMarket();
    const vols = market.symbols().map((s) => {
      const closes = market.dailyBars(s, AFTER_CLOSE).map((b) => b.close);
      const returns = closes.slice(1).map((c, i) => Math.log(c / (closes[i] as number)));
      const mean = returns.reduce((x, y) => x + y, 0) / returns.length;
      return Math.sqrt(returns.reduce((x, r) => x + (r - mean) ** 2, 0) / returns.length) * 100;
    });
    expect(Math.min(...vols)).toBeGreaterThan(0.5);
    expect(Math.max(...vols)).toBeLessThan(4);
  });

  it("answers an unknown symbol with no bars and no meta", () => {
    const market = createSyntheticMarket();
    expect([market.dailyBars("NOPE", AFTER_CLOSE), market.meta("NOPE"), market.splits("NOPE")]).toEqual([
      [],
      undefined,
      [],
    ]);
  });

  it("has no bars before `from`", () => {
    expect(createSyntheticMarket().dailyBars("AAPL", new Date("2023-12-29T22:00:00Z"))).toEqual([]);
  });
});

describe("synthetic market session in progress", () => {
  const market = createSyntheticMarket();
  const full = on(market.dailyBars("AAPL", AFTER_CLOSE), "2026-11-25") as Bar;
  const at = (iso: string) => market.dailyBars("AAPL", new Date(iso)).at(-1) as Bar;

  it("has no bar for today before the open", () => {
    expect(at("2026-11-25T14:29:59Z").date).toBe("2026-11-24");
  });

  it("has a partial bar during the session: the day's open, a range inside the day's, part of the volume", () => {
    const partial = at("2026-11-25T17:45:00Z");
    expect(partial.date).toBe("2026-11-25");
    expect(partial.open).toBe(full.open);
    expect(partial.high).toBeLessThanOrEqual(full.high);
    expect(partial.low).toBeGreaterThanOrEqual(full.low);
    expect(ohlcProblems([partial])).toEqual([]);
    expect(partial.volume).toBe(Math.round((full.volume as number) * 0.5));
  });

  it("widens the partial range as the session goes on", () => {
    const times = ["14:45", "15:30", "16:30", "18:00", "19:30", "20:45"].map((t) => at(`2026-11-25T${t}:00Z`));
    for (let i = 1; i < times.length; i++) {
      expect(times[i]?.high).toBeGreaterThanOrEqual(times[i - 1]?.high as number);
      expect(times[i]?.low).toBeLessThanOrEqual(times[i - 1]?.low as number);
    }
  });

  it("has the full bar from the close on", () => {
    expect(at("2026-11-25T21:00:00Z")).toEqual(full);
  });

  it("completes a half day at 13:00 New York time", () => {
    const halfDay = on(market.dailyBars("AAPL", AFTER_CLOSE), "2026-11-27");
    expect(at("2026-11-27T18:00:00Z")).toEqual(halfDay);
    expect(at("2026-11-27T17:59:00Z").volume).toBeLessThan(halfDay?.volume as number);
  });
});

describe("synthetic market splits", () => {
  const market = createSyntheticMarket();
  const after = new Date("2025-07-01T00:00:00Z");

  it("divides prices and multiplies volume before a 4:1 ex-date in the adjusted history", () => {
    const adjusted = on(market.dailyBars("IBKR", after), "2025-06-17") as Bar;
    const raw = on(market.unadjustedDailyBars("IBKR", after), "2025-06-17") as Bar;
    expect(adjusted.close).toBeCloseTo(raw.close / 4, 6);
    expect(adjusted.volume).toBe((raw.volume as number) * 4);
  });

  it("leaves sessions from the ex-date on unchanged", () => {
    const adjusted = on(market.dailyBars("IBKR", after), "2025-06-18");
    expect(adjusted).toEqual(on(market.unadjustedDailyBars("IBKR", after), "2025-06-18"));
  });

  it("shows the split as a drop in the unadjusted close and a normal day in the adjusted one", () => {
    const ratio = (bars: Bar[]) => (on(bars, "2025-06-18") as Bar).close / (on(bars, "2025-06-17") as Bar).close;
    expect(ratio(market.unadjustedDailyBars("IBKR", after))).toBeLessThan(0.3);
    expect(ratio(market.dailyBars("IBKR", after))).toBeGreaterThan(0.85);
  });

  it("multiplies prices before a 1:10 reverse split", () => {
    const at = new Date("2025-09-10T00:00:00Z");
    const adjusted = on(market.dailyBars("LCID", at), "2025-08-29") as Bar;
    const raw = on(market.unadjustedDailyBars("LCID", at), "2025-08-29") as Bar;
    expect(adjusted.close).toBeCloseTo(raw.close * 10, 6);
  });

  it("does not apply a split before its ex-date", () => {
    const before = new Date("2025-06-17T22:00:00Z");
    expect(market.dailyBars("IBKR", before)).toEqual(market.unadjustedDailyBars("IBKR", before));
  });
});

describe("default universe", () => {
  const market = createSyntheticMarket();

  it("lists about sixty well-known symbols, sorted", () => {
    const symbols = market.symbols();
    expect(symbols.length).toBeGreaterThanOrEqual(55);
    expect(symbols).toEqual([...symbols].sort());
    expect(symbols).toEqual(expect.arrayContaining(["AAPL", "MSFT", "NVDA", "BRK.B"]));
  });

  it("describes instruments as the provider's meta does", () => {
    expect([market.meta("AAPL"), market.meta("JPM")]).toEqual([
      {
        symbol: "AAPL",
        exchange: "NASDAQ",
        micCode: "XNAS",
        currency: "USD",
        exchangeTimezone: "America/New_York",
        type: "Common Stock",
      },
      {
        symbol: "JPM",
        exchange: "NYSE",
        micCode: "XNYS",
        currency: "USD",
        exchangeTimezone: "America/New_York",
        type: "Common Stock",
      },
    ]);
  });

  it("has a forward and a reverse split inside 2025-2026", () => {
    const splits = DEFAULT_INSTRUMENTS.flatMap((i) => i.splits ?? []).filter((s) => s.date >= "2025-01-01");
    expect(splits.some((s) => s.ratio > 1)).toBe(true);
    expect(splits.some((s) => s.ratio < 1)).toBe(true);
  });
});

describe("instrument validation", () => {
  it("rejects a split ratio of 1", () => {
    const spec = { ...single, splits: [{ date: "2025-03-03", ratio: 1 }] };
    expect(() => createSyntheticMarket({ instruments: [spec] })).toThrow(InvalidInstrumentError);
  });

  it("rejects a symbol listed twice", () => {
    expect(() => createSyntheticMarket({ instruments: [single, single] })).toThrow(InvalidInstrumentError);
  });
});
