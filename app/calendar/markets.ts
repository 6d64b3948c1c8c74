import { addDays, weekday } from "./iso-date.ts";
import { NYSE_TIMEZONE, sessionClose as nyseSessionClose } from "./nyse-calendar.ts";
import { zonedDate, zonedTimeToUtc } from "./zoned-time.ts";

/**
 * The market an instrument trades on, as far as dates are concerned: its time zone, which dates are sessions, when
 * a session's daily bar is final. Built from what the provider's answer says (MIC, exchange name, instrument type,
 * time zone), with the profile's per-exchange overrides on top.
 *
 * What is known per market:
 * - `holidays`: every session is known (NYSE and the US venues that follow it; forex and crypto, which have none).
 * - `weekends`: only the weekend is known (the other exchanges of the table below, and any exchange dq does not
 *   know: Monday to Friday in the answer's time zone). A holiday of such an exchange is a weekday dq cannot tell from
 *   a session, so bars on it are judged against the reference alone.
 */
export const CalendarKnowledge = { holidays: "holidays", weekends: "weekends" } as const;
export type CalendarKnowledge = (typeof CalendarKnowledge)[keyof typeof CalendarKnowledge];

export const InstrumentKind = { equity: "equity", forex: "forex", crypto: "crypto" } as const;
export type InstrumentKind = (typeof InstrumentKind)[keyof typeof InstrumentKind];

export interface Market {
  /** MIC when known (XNYS, XETR), FOREX, CRYPTO, or the time zone of an exchange dq does not know. */
  id: string;
  kind: InstrumentKind;
  timezone: string;
  knowledge: CalendarKnowledge;
  /** Whether `date` (YYYY-MM-DD, local) is a session. */
  isSession(date: string): boolean;
  /** The session's local close, HH:MM; "24:00" for markets whose day ends at midnight. */
  closeOf(date: string): string;
  /** Minutes after the close before the day's bar is taken as final (closing auction, the provider's publication). */
  settleMinutes: number;
  /**
   * A reference lagging the calendar by this many sessions or more is reported stale: 1 where every session is
   * known, more where a run of holidays the calendar cannot see (Golden Week, Lunar New Year) would look like a lag.
   */
  staleAfterSessions: number;
}

/** A profile's settings for one exchange (or `forex`, `crypto`, `default`). Every field is optional. */
export interface MarketOverride {
  /** Local close, HH:MM or 24:00. */
  close?: string;
  settleMinutes?: number;
  /** IANA zone, for answers that carry none. */
  timezone?: string;
  /** Days the market is closed every week, 0 = Sunday ... 6 = Saturday. */
  weekend?: readonly number[];
  /** Extra closed dates (YYYY-MM-DD) for an exchange whose holidays dq does not know. */
  holidays?: readonly string[];
}

/** What the provider's answer says about the instrument. */
export interface InstrumentInfo {
  timezone: string;
  mic?: string | undefined;
  exchange?: string | undefined;
  kind?: InstrumentKind | undefined;
}

/** The default settle buffer, minutes after the close. */
export const DEFAULT_SETTLE_MINUTES = 30;

interface KnownExchange {
  mic: string;
  names: readonly string[];
  timezone: string;
  close: string;
}

// Regular closes, including the closing auction where its prices are the day's close.
const EXCHANGES: readonly KnownExchange[] = [
  { mic: "XETR", names: ["XETR", "XETRA"], timezone: "Europe/Berlin", close: "17:35" },
  { mic: "XLON", names: ["LSE"], timezone: "Europe/London", close: "16:35" },
  { mic: "XPAR", names: ["EURONEXT"], timezone: "Europe/Paris", close: "17:35" },
  { mic: "XAMS", names: [], timezone: "Europe/Amsterdam", close: "17:35" },
  { mic: "XBRU", names: [], timezone: "Europe/Brussels", close: "17:35" },
  { mic: "XSWX", names: ["SIX"], timezone: "Europe/Zurich", close: "17:30" },
  { mic: "XMIL", names: ["MTA", "BORSA ITALIANA"], timezone: "Europe/Rome", close: "17:35" },
  { mic: "XMAD", names: ["BME"], timezone: "Europe/Madrid", close: "17:35" },
  { mic: "XTKS", names: ["JPX", "TSE"], timezone: "Asia/Tokyo", close: "15:30" },
  { mic: "XJPX", names: [], timezone: "Asia/Tokyo", close: "15:30" },
  { mic: "XHKG", names: ["HKEX"], timezone: "Asia/Hong_Kong", close: "16:10" },
  { mic: "XASX", names: ["ASX"], timezone: "Australia/Sydney", close: "16:12" },
  { mic: "XTSE", names: ["TSX"], timezone: "America/Toronto", close: "16:00" },
  { mic: "XSHG", names: ["SSE"], timezone: "Asia/Shanghai", close: "15:00" },
  { mic: "XSHE", names: ["SZSE"], timezone: "Asia/Shanghai", close: "15:00" },
  { mic: "XKRX", names: ["KRX"], timezone: "Asia/Seoul", close: "15:30" },
  { mic: "XNSE", names: ["NSE"], timezone: "Asia/Kolkata", close: "15:30" },
  { mic: "XBOM", names: ["BSE"], timezone: "Asia/Kolkata", close: "15:30" },
];

/** US venues: they follow the NYSE holiday calendar and its 13:00 early closes. */
const US_MICS = new Set(["XNYS", "XNAS", "XASE", "ARCX", "BATS", "XCBO", "IEXG", "OTCM", "XNCM", "XNGS", "XNMS"]);
const US_NAMES = new Set(["NYSE", "NASDAQ", "AMEX", "NYSE ARCA", "NYSE AMERICAN", "NYSE MKT", "CBOE", "BATS", "OTC"]);

const SAT_SUN: readonly number[] = [0, 6];

/**
 * The market of an instrument. Overrides are looked up by MIC, then exchange name, then `forex` / `crypto`, then
 * `default`; keys are compared case-insensitively.
 */
export function resolveMarket(
  info: InstrumentInfo,
  overrides: Readonly<Record<string, MarketOverride>> = {},
  fallback: { close?: string | undefined; settleMinutes?: number | undefined } = {},
): Market {
  const found = findOverride(info, overrides);
  // The fallback settle applies everywhere; the fallback close only where dq knows no close of its own.
  const override: MarketOverride = { ...found, settleMinutes: found?.settleMinutes ?? fallback.settleMinutes };
  if (info.kind === "crypto") {
    return build("CRYPTO", "crypto", override?.timezone ?? "UTC", "holidays", [], "24:00", 1, override);
  }
  if (info.kind === "forex") {
    return build("FOREX", "forex", override?.timezone ?? "UTC", "holidays", SAT_SUN, "24:00", 2, override);
  }
  const mic = info.mic?.toUpperCase();
  const name = info.exchange?.toUpperCase();
  const us =
    (mic !== undefined && US_MICS.has(mic)) ||
    (name !== undefined && US_NAMES.has(name)) ||
    (mic === undefined && name === undefined && info.timezone === NYSE_TIMEZONE);
  if (us && !override?.weekend && !override?.holidays) return nyse(mic ?? "XNYS", override);
  const known = EXCHANGES.find((e) => e.mic === mic || (name !== undefined && e.names.includes(name)));
  const timezone = info.timezone || override?.timezone || known?.timezone || "UTC";
  const id = known?.mic ?? mic ?? name ?? timezone;
  return build(id, "equity", timezone, "weekends", SAT_SUN, known?.close ?? fallback.close ?? "16:00", 5, override);
}

function nyse(id: string, override: MarketOverride | undefined): Market {
  return {
    id,
    kind: "equity",
    timezone: NYSE_TIMEZONE,
    knowledge: "holidays",
    isSession: (date) => nyseSessionClose(date) !== null,
    closeOf: (date) => override?.close ?? nyseSessionClose(date) ?? "16:00",
    settleMinutes: override?.settleMinutes ?? DEFAULT_SETTLE_MINUTES,
    staleAfterSessions: 1,
  };
}

function build(
  id: string,
  kind: InstrumentKind,
  timezone: string,
  knowledge: CalendarKnowledge,
  weekend: readonly number[],
  close: string,
  staleAfterSessions: number,
  override: MarketOverride | undefined,
): Market {
  const closed = new Set(override?.weekend ?? weekend);
  const holidays = new Set(override?.holidays ?? []);
  return {
    id,
    kind,
    timezone,
    knowledge,
    isSession: (date) => !closed.has(weekday(date)) && !holidays.has(date),
    closeOf: () => override?.close ?? close,
    settleMinutes: override?.settleMinutes ?? DEFAULT_SETTLE_MINUTES,
    staleAfterSessions,
  };
}

function findOverride(
  info: InstrumentInfo,
  overrides: Readonly<Record<string, MarketOverride>>,
): MarketOverride | undefined {
  const byKey = new Map(Object.entries(overrides).map(([key, value]) => [key.toUpperCase(), value]));
  const keys = [info.mic, info.exchange, info.kind === "equity" ? undefined : info.kind, "default"];
  for (const key of keys) {
    const found = key === undefined ? undefined : byKey.get(key.toUpperCase());
    if (found) return found;
  }
  return undefined;
}

/** The instant a session's daily bar is final: its local close plus the settle buffer. */
export function finalAt(market: Market, date: string): number {
  const close = market.closeOf(date);
  const instant =
    close === "24:00"
      ? zonedTimeToUtc(addDays(date, 1), "00:00", market.timezone)
      : zonedTimeToUtc(date, close, market.timezone);
  return instant.getTime() + market.settleMinutes * 60_000;
}

/** Whether the bar of `date` is final at `asOf`. Dates two or more days before the local today always are. */
export function isFinal(market: Market, date: string, asOf: Date, today = zonedDate(asOf, market.timezone)): boolean {
  if (date < addDays(today, -1)) return true;
  if (date > today) return false;
  return asOf.getTime() >= finalAt(market, date);
}

/** The market's last session whose bar is final at `asOf`. */
export function lastFinalSession(market: Market, asOf: Date): string {
  const today = zonedDate(asOf, market.timezone);
  let date = today;
  for (let i = 0; i < 31; i++, date = addDays(date, -1)) {
    if (market.isSession(date) && isFinal(market, date, asOf, today)) return date;
  }
  return date;
}

/** Sessions of the market strictly after `from` and up to `to` (inclusive). */
export function sessionsBetween(market: Market, from: string, to: string): number {
  let count = 0;
  for (let date = addDays(from, 1); date <= to; date = addDays(date, 1)) if (market.isSession(date)) count++;
  return count;
}
