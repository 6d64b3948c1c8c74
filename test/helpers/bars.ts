import type { Bar, ReferenceSeries } from "../../app/domain/bar.ts";

/** Builders of daily bars for tests: weekday calendars, bars from a close function, reference series. */

export const NEW_YORK = "America/New_York";

const DAY_MS = 86_400_000;

function toMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

function fromMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `date` moved by `days` calendar days. */
export function shiftDate(date: string, days: number): string {
  return fromMs(toMs(date) + days * DAY_MS);
}

export function isWeekend(date: string): boolean {
  const day = new Date(toMs(date)).getUTCDay();
  return day === 0 || day === 6;
}

/** `count` session dates from `from` on (inclusive), skipping Saturdays, Sundays and `holidays`. */
export function sessionDates(from: string, count: number, holidays: readonly string[] = []): string[] {
  const skip = new Set(holidays);
  const dates: string[] = [];
  for (let ms = toMs(from); dates.length < count; ms += DAY_MS) {
    const date = fromMs(ms);
    if (!isWeekend(date) && !skip.has(date)) dates.push(date);
  }
  return dates;
}

/** Session dates from `from` through `to`, both inclusive, skipping weekends and `holidays`. */
export function sessionsBetween(from: string, to: string, holidays: readonly string[] = []): string[] {
  const skip = new Set(holidays);
  const dates: string[] = [];
  for (let ms = toMs(from); ms <= toMs(to); ms += DAY_MS) {
    const date = fromMs(ms);
    if (!isWeekend(date) && !skip.has(date)) dates.push(date);
  }
  return dates;
}

/** A consistent bar around `close`: open a little below, high and low 1 % either side. */
export function bar(date: string, close: number, overrides: Partial<Bar> = {}): Bar {
  return {
    date,
    open: close * 0.998,
    high: close * 1.01,
    low: close * 0.99,
    close,
    volume: 1_000_000,
    ...overrides,
  };
}

/** One bar per date; `close` is a constant or a function of the position and date. */
export function makeBars(dates: readonly string[], close: number | ((i: number, date: string) => number) = 100): Bar[] {
  return dates.map((date, i) => bar(date, typeof close === "number" ? close : close(i, date)));
}

/** The same bars with every price multiplied by `factor` (volume divided) on dates before `until` (all if omitted). */
export function scalePrices(bars: readonly Bar[], factor: number, until?: string): Bar[] {
  return bars.map((b) =>
    until !== undefined && b.date >= until
      ? b
      : {
          ...b,
          open: b.open * factor,
          high: b.high * factor,
          low: b.low * factor,
          close: b.close * factor,
          volume: b.volume === null ? null : Math.round(b.volume / factor),
        },
  );
}

/** The same bars with the bar of `date` replaced by `patch` applied to it. */
export function patchBar(bars: readonly Bar[], date: string, patch: Partial<Bar>): Bar[] {
  return bars.map((b) => (b.date === date ? { ...b, ...patch } : b));
}

/** The same bars with the given dates removed. */
export function withoutDates(bars: readonly Bar[], ...dates: string[]): Bar[] {
  const drop = new Set(dates);
  return bars.filter((b) => !drop.has(b.date));
}

export function referenceSeries(bars: Bar[], exchangeTimezone = NEW_YORK): ReferenceSeries {
  return { bars, exchangeTimezone };
}

/** The bar dated `date`; throws when there is none, so a test with a wrong date fails loudly. */
export function barOn(bars: readonly Bar[], date: string): Bar {
  const found = bars.find((b) => b.date === date);
  if (!found) throw new Error(`no bar dated ${date}`);
  return found;
}
