import { addDays, weekday } from "../../app/calendar/iso-date.ts";
import type { Bar } from "../../app/domain/bar.ts";
import type { CheckCode } from "../../app/quality/types.ts";
import type { MarketData } from "../market/types.ts";
import { SampleDatalakeError } from "./sample-datalake-error.ts";

/** Where the injected defects may go: the window a correct engine checks when it runs at `asOf`. */
export interface DefectWindow {
  market: MarketData;
  asOf: Date;
  /** The last complete session at `asOf`: the window ends here. */
  lastSession: string;
  /** First calendar date of the window (lookbackDays - 1 days before lastSession). */
  windowStart: string;
  /** The sessions of the window, ascending; at least MIN_WINDOW_SESSIONS. */
  sessions: readonly string[];
}

/** Stale takes three sessions and missing bars two in the middle, so a window needs four. */
export const MIN_WINDOW_SESSIONS = 4;
/** The extra bar goes on a Saturday, which only a window of a week or more is sure to hold. */
export const MIN_LOOKBACK_DAYS = 7;

export interface Defect {
  code: CheckCode;
  /**
   * The codes a correct engine reports for the symbol with every check enabled. An unapplied split is one
   * adjustment_mismatch: the engine folds the price, volume and return differences of its range into it.
   */
  labels: CheckCode[];
  description: string;
  /** Symbols this defect is best shown on; the planner takes one when it can and any clean symbol otherwise. */
  prefers?: (symbol: string, window: DefectWindow) => boolean;
  /** Returns the defective history; never mutates `bars` (the complete, split-adjusted sessions). */
  apply: (bars: readonly Bar[], symbol: string, window: DefectWindow) => Bar[];
}

export interface PlannedDefect extends Defect {
  symbol: string;
}

/** The n-th session of the window counted from its end: 1 is the last one. */
const fromEnd = (w: DefectWindow, n: number) => w.sessions[w.sessions.length - n] as string;

function editOn(bars: readonly Bar[], date: string, edit: (bar: Bar) => Bar): Bar[] {
  return bars.map((b) => (b.date === date ? edit({ ...b }) : b));
}

/** Whether the symbol split inside the window with at least two window sessions before the ex-date. */
function splitsInWindow(symbol: string, w: DefectWindow): boolean {
  return w.market
    .splits(symbol)
    .some((s) => s.date <= w.lastSession && w.sessions.filter((d) => d < s.date).length >= 2);
}

/** The latest Saturday of the window; every window of MIN_LOOKBACK_DAYS or more has one. */
function saturdayInWindow(w: DefectWindow): string {
  let d = w.lastSession;
  while (weekday(d) !== 6) d = addDays(d, -1);
  if (d < w.windowStart) throw new SampleDatalakeError(`no Saturday between ${w.windowStart} and ${w.lastSession}`);
  return d;
}

/** The session whose high is nearest max(open, close), so pulling it below adds no price mismatch. */
function tightestHigh(bars: readonly Bar[], w: DefectWindow): string {
  const inWindow = bars.filter((b) => b.date >= w.windowStart && b.date <= w.lastSession);
  const gap = (b: Bar) => b.high / Math.max(b.open, b.close);
  return inWindow.reduce((x, y) => (gap(y) < gap(x) ? y : x)).date;
}

/** Defective prices keep the precision of the market's own (6 decimals), not float noise. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

const SIMULATED_SPLIT = 4;

/** One defect per check code of DESIGN.md, in the order of its table. */
export const DEFECTS: readonly Defect[] = [
  {
    code: "no_data",
    labels: ["no_data"],
    description: "the file holds the header and no bars",
    apply: () => [],
  },
  {
    code: "stale",
    labels: ["stale"],
    description: "the last 3 sessions are missing",
    apply: (bars, _s, w) => bars.filter((b) => b.date < fromEnd(w, 3)),
  },
  {
    code: "missing_bars",
    labels: ["missing_bars"],
    description: "2 consecutive sessions in the middle of the window are missing",
    apply: (bars, _s, w) => {
      const k = Math.floor((w.sessions.length - 2) / 2);
      const gone = new Set(w.sessions.slice(k, k + 2));
      return bars.filter((b) => !gone.has(b.date));
    },
  },
  {
    code: "extra_bars",
    labels: ["extra_bars"],
    description: "a bar on a weekend day (a copy of the session before it)",
    apply: (bars, _s, w) => {
      const saturday = saturdayInWindow(w);
      const before = bars.filter((b) => b.date < saturday).at(-1);
      if (before === undefined) return [...bars];
      return [...bars, { ...before, date: saturday }].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    },
  },
  {
    code: "duplicate_bars",
    labels: ["duplicate_bars"],
    description: "one session appears twice",
    apply: (bars, _s, w) => bars.flatMap((b) => (b.date === fromEnd(w, 2) ? [b, { ...b }] : [b])),
  },
  {
    code: "ohlc_invalid",
    labels: ["ohlc_invalid"],
    description: "one session's high is below its close (or open)",
    apply: (bars, _s, w) =>
      editOn(bars, tightestHigh(bars, w), (b) => ({ ...b, high: round6(Math.max(b.open, b.close) * 0.999) })),
  },
  {
    code: "price_mismatch",
    labels: ["price_mismatch"],
    description: "one session's close is 5 % too high",
    apply: (bars, _s, w) =>
      editOn(bars, fromEnd(w, 2), (b) => ({
        ...b,
        close: round6(b.close * 1.05),
        high: Math.max(b.high, round6(b.close * 1.05)),
      })),
  },
  {
    code: "adjustment_mismatch",
    labels: ["adjustment_mismatch"],
    description: "a split inside the window was never applied (prices and volumes before the ex-date)",
    prefers: (symbol, w) => splitsInWindow(symbol, w),
    apply: (bars, symbol, w) => {
      if (splitsInWindow(symbol, w))
        return w.market.unadjustedDailyBars(symbol, w.asOf).filter((b) => b.date <= w.lastSession);
      // No instrument split inside this window: play an unapplied 4:1 split, as the datalake would show it.
      const exDate = fromEnd(w, 2);
      return bars.map((b) =>
        b.date >= exDate
          ? b
          : {
              date: b.date,
              open: round6(b.open * SIMULATED_SPLIT),
              high: round6(b.high * SIMULATED_SPLIT),
              low: round6(b.low * SIMULATED_SPLIT),
              close: round6(b.close * SIMULATED_SPLIT),
              volume: b.volume === null ? null : Math.max(1, Math.round(b.volume / SIMULATED_SPLIT)),
            },
      );
    },
  },
  {
    code: "outlier_return",
    labels: ["outlier_return", "price_mismatch"],
    description: "one session's close spikes 40 % (and falls back the next session)",
    apply: (bars, _s, w) =>
      editOn(bars, fromEnd(w, 2), (b) => ({
        ...b,
        close: round6(b.close * 1.4),
        high: Math.max(b.high, round6(b.close * 1.4)),
      })),
  },
  {
    code: "volume_mismatch",
    labels: ["volume_mismatch"],
    description: "one session's volume is 3 times the reference's",
    apply: (bars, _s, w) =>
      editOn(bars, fromEnd(w, 2), (b) => ({ ...b, volume: b.volume === null ? null : b.volume * 3 })),
  },
];

/**
 * Gives each defect its own symbol, spread over the sorted list so the defects do not all sit at the top.
 * Defects that prefer certain symbols choose first, then the rest in DEFECTS order; with fewer symbols than
 * defects the ones that find no symbol are left out. Every symbol without a defect stays clean.
 */
export function planDefects(symbols: readonly string[], window: DefectWindow): PlannedDefect[] {
  const sorted = [...symbols].sort();
  const free = new Set(sorted);
  const step = Math.max(1, Math.floor(sorted.length / DEFECTS.length));
  const chosen = new Map<Defect, string>();
  const order = [...DEFECTS.filter((d) => d.prefers), ...DEFECTS.filter((d) => !d.prefers)];
  for (const defect of order) {
    const preferred = defect.prefers && sorted.find((s) => free.has(s) && defect.prefers?.(s, window));
    const start = DEFECTS.indexOf(defect) * step;
    const symbol = preferred || [...sorted.slice(start), ...sorted.slice(0, start)].find((s) => free.has(s));
    if (symbol === undefined) continue;
    free.delete(symbol);
    chosen.set(defect, symbol);
  }
  return DEFECTS.flatMap((d) => {
    const symbol = chosen.get(d);
    return symbol === undefined ? [] : [{ ...d, symbol }];
  });
}
