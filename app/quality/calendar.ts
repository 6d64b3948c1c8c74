/** Calendar arithmetic on YYYY-MM-DD strings, and an instant seen from an exchange's time zone. */

const DAY_MS = 86_400_000;

/** The date `days` calendar days after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

export function weekdayName(date: string): string {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return WEEKDAYS[day] ?? "?";
}

export interface LocalTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** HH:MM, 24-hour, in the zone. */
  time: string;
}

// Building an Intl.DateTimeFormat costs far more than using one, and a batch asks the same question per symbol.
const formatters = new Map<string, Intl.DateTimeFormat>();
const lastAnswer = new Map<string, { ms: number; local: LocalTime }>();

/** The wall-clock date and time of `instant` in `timeZone` (IANA). Throws RangeError for an unknown zone. */
export function localTime(instant: Date, timeZone: string): LocalTime {
  const ms = instant.getTime();
  const last = lastAnswer.get(timeZone);
  if (last?.ms === ms) return last.local;
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(instant)) parts[part.type] = part.value;
  const local = { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
  lastAnswer.set(timeZone, { ms, local });
  return local;
}
