import { addDays, isoDate, toEpochDay, weekday } from "./iso-date.ts";
import { zonedDate, zonedTimeToUtc } from "./zoned-time.ts";

/**
 * The New York Stock Exchange calendar, computed by rule so that no table has to be downloaded or kept up
 * to date: weekends, the ten regular holidays with NYSE observance rules, and the 13:00 early closes.
 */

export const NYSE_TIMEZONE = "America/New_York";
export const NYSE_OPEN = "09:30";
export const NYSE_CLOSE = "16:00";
export const NYSE_EARLY_CLOSE = "13:00";

export type SessionClose = typeof NYSE_CLOSE | typeof NYSE_EARLY_CLOSE;

export interface Holiday {
  /** The date the exchange is closed (the observed date). */
  date: string;
  name: string;
}

/**
 * Closures no rule predicts (national days of mourning, storms), since 2001; a rule-based calendar cannot know
 * future ones. A datalake's history is checked for bars on closed dates, so past ones matter too.
 */
const UNSCHEDULED_CLOSURES: readonly Holiday[] = [
  { date: "2001-09-11", name: "September 11 attacks" },
  { date: "2001-09-12", name: "September 11 attacks" },
  { date: "2001-09-13", name: "September 11 attacks" },
  { date: "2001-09-14", name: "September 11 attacks" },
  { date: "2004-06-11", name: "National Day of Mourning for President Ronald Reagan" },
  { date: "2007-01-02", name: "National Day of Mourning for President Gerald Ford" },
  { date: "2012-10-29", name: "Hurricane Sandy" },
  { date: "2012-10-30", name: "Hurricane Sandy" },
  { date: "2018-12-05", name: "National Day of Mourning for President George H. W. Bush" },
  { date: "2025-01-09", name: "National Day of Mourning for President Jimmy Carter" },
];

/** The nth (1-based) given weekday of a month; n = -1 is the last one. */
function nthWeekday(year: number, month: number, dow: number, n: number): string {
  if (n > 0) {
    const first = isoDate(year, month, 1);
    return addDays(first, ((dow - weekday(first) + 7) % 7) + (n - 1) * 7);
  }
  const last = isoDate(year, month + 1, 0);
  return addDays(last, -((weekday(last) - dow + 7) % 7));
}

/** Easter Sunday (Gregorian), by the anonymous Gregorian computus (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(year, month, day);
}

/** A fixed-date holiday on a Saturday is observed the Friday before, on a Sunday the Monday after. */
function observed(date: string): string {
  const dow = weekday(date);
  if (dow === 6) return addDays(date, -1);
  if (dow === 0) return addDays(date, 1);
  return date;
}

function computeHolidays(year: number): Holiday[] {
  const list: Holiday[] = [];
  const newYear = isoDate(year, 1, 1);
  // NYSE rule 7.2: New Year's Day on a Saturday is not moved to December 31 (that would close the year's last session).
  if (weekday(newYear) !== 6) list.push({ date: observed(newYear), name: "New Year's Day" });
  // The NYSE has closed for Martin Luther King, Jr. Day since 1998.
  if (year >= 1998) list.push({ date: nthWeekday(year, 1, 1, 3), name: "Martin Luther King, Jr. Day" });
  list.push({ date: nthWeekday(year, 2, 1, 3), name: "Washington's Birthday" });
  list.push({ date: addDays(easterSunday(year), -2), name: "Good Friday" });
  list.push({ date: nthWeekday(year, 5, 1, -1), name: "Memorial Day" });
  if (year >= 2022) list.push({ date: observed(isoDate(year, 6, 19)), name: "Juneteenth National Independence Day" });
  list.push({ date: observed(isoDate(year, 7, 4)), name: "Independence Day" });
  list.push({ date: nthWeekday(year, 9, 1, 1), name: "Labor Day" });
  list.push({ date: nthWeekday(year, 11, 4, 4), name: "Thanksgiving Day" });
  list.push({ date: observed(isoDate(year, 12, 25)), name: "Christmas Day" });
  for (const closure of UNSCHEDULED_CLOSURES) if (closure.date.startsWith(`${year}-`)) list.push(closure);
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

const holidayCache = new Map<number, { list: Holiday[]; dates: Set<string> }>();

function holidaysOf(year: number): { list: Holiday[]; dates: Set<string> } {
  let entry = holidayCache.get(year);
  if (entry === undefined) {
    const list = computeHolidays(year);
    entry = { list, dates: new Set(list.map((h) => h.date)) };
    holidayCache.set(year, entry);
  }
  return entry;
}

/** Full-day closures of a year (weekdays only), ascending. */
export function nyseHolidays(year: number): Holiday[] {
  return holidaysOf(year).list.map((h) => ({ ...h }));
}

export function isHoliday(date: string): boolean {
  toEpochDay(date);
  return holidaysOf(Number(date.slice(0, 4))).dates.has(date);
}

export function isTradingDay(date: string): boolean {
  return sessionClose(date) !== null;
}

/** Early closes at 13:00: July 3, the day after Thanksgiving, December 24, each only when it is a trading day. */
function isEarlyClose(date: string): boolean {
  const monthDay = date.slice(5);
  if (monthDay === "07-03" || monthDay === "12-24") return true;
  return monthDay.startsWith("11-") && date === addDays(nthWeekday(Number(date.slice(0, 4)), 11, 4, 4), 1);
}

// Histories walk the same few thousand dates over and over; the answer per date never changes.
const closeCache = new Map<string, SessionClose | null>();

/** The exchange-local close of a date's session, or null when the exchange is closed. */
export function sessionClose(date: string): SessionClose | null {
  let close = closeCache.get(date);
  if (close === undefined) {
    const dow = weekday(date);
    const open = dow !== 0 && dow !== 6 && !isHoliday(date);
    close = !open ? null : isEarlyClose(date) ? NYSE_EARLY_CLOSE : NYSE_CLOSE;
    closeCache.set(date, close);
  }
  return close;
}

/** The year's 13:00 sessions, ascending. */
export function nyseEarlyCloses(year: number): string[] {
  return tradingDays(isoDate(year, 1, 1), isoDate(year, 12, 31)).filter((d) => isEarlyClose(d));
}

/** Trading days from `from` to `to`, both inclusive, ascending. */
export function tradingDays(from: string, to: string): string[] {
  const days: string[] = [];
  const end = toEpochDay(to);
  for (let d = from, n = toEpochDay(from); n <= end; d = addDays(d, 1), n++) {
    if (isTradingDay(d)) days.push(d);
  }
  return days;
}

/** The trading day strictly before `date`. */
export function previousTradingDay(date: string): string {
  let d = addDays(date, -1);
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

/** The trading day strictly after `date`. */
export function nextTradingDay(date: string): string {
  let d = addDays(date, 1);
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

export interface SessionTimes {
  open: Date;
  close: Date;
}

const sessionCache = new Map<string, SessionTimes>();

/** A session's open and close as instants (DST-correct), or null when the exchange is closed that date. */
export function sessionTimes(date: string): SessionTimes | null {
  const close = sessionClose(date);
  if (close === null) return null;
  let times = sessionCache.get(date);
  if (times === undefined) {
    times = {
      open: zonedTimeToUtc(date, NYSE_OPEN, NYSE_TIMEZONE),
      close: zonedTimeToUtc(date, close, NYSE_TIMEZONE),
    };
    sessionCache.set(date, times);
  }
  return { open: new Date(times.open), close: new Date(times.close) };
}

/** The exchange-local date at an instant. */
export function exchangeDate(instant: Date): string {
  return zonedDate(instant, NYSE_TIMEZONE);
}

/**
 * How much of a date's session has elapsed at `asOf`: 0 before the open (or on a closed day), 1 from the
 * close on, the elapsed fraction in between.
 */
export function sessionFraction(date: string, asOf: Date): number {
  const times = sessionTimes(date);
  if (times === null) return 0;
  const t = asOf.getTime();
  const open = times.open.getTime();
  const close = times.close.getTime();
  if (t <= open) return 0;
  if (t >= close) return 1;
  return (t - open) / (close - open);
}

/** The last session that has closed at `asOf` (a session closing exactly at `asOf` counts as closed). */
export function lastCompleteSession(asOf: Date): string {
  const today = exchangeDate(asOf);
  if (isTradingDay(today) && sessionFraction(today, asOf) === 1) return today;
  return previousTradingDay(today);
}
