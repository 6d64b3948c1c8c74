import { Cron } from "croner";
import { InvalidScheduleExpressionError } from "./errors.ts";

/** A parsed EventBridge Scheduler expression: `at(...)`, `rate(...)` or 6-field `cron(...)`. */
export interface ScheduleExpression {
  readonly kind: "at" | "rate" | "cron";
  /**
   * The first occurrence for a schedule active from `from` (epoch ms). For at(), its instant even when it is
   * already past: a one-time schedule created late fires at once rather than never.
   */
  first(from: number): number | undefined;
  /** The occurrence after `previous`; none for at(). */
  after(previous: number): number | undefined;
}

const RATE_UNITS_MS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * Parses `expression` for `timezone` (IANA, @default "UTC"), as ScheduleExpressionTimezone applies to at() and
 * cron(). Throws InvalidScheduleExpressionError for what EventBridge Scheduler would reject.
 */
export function parseScheduleExpression(expression: string, timezone = "UTC"): ScheduleExpression {
  assertTimezone(expression, timezone);
  const match = expression.trim().match(/^(at|rate|cron)\((.*)\)$/);
  if (!match) throw new InvalidScheduleExpressionError(expression, "expected at(...), rate(...) or cron(...)");
  const [, kind, body = ""] = match;
  if (kind === "at") return parseAt(expression, body.trim(), timezone);
  if (kind === "rate") return parseRate(expression, body.trim());
  return parseCron(expression, body.trim(), timezone);
}

function assertTimezone(expression: string, timezone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch (error) {
    throw new InvalidScheduleExpressionError(expression, `unknown time zone ${JSON.stringify(timezone)}`, {
      cause: error,
    });
  }
}

function parseAt(expression: string, body: string, timezone: string): ScheduleExpression {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body))
    throw new InvalidScheduleExpressionError(expression, "at() takes yyyy-mm-ddThh:mm:ss");
  let instant: number | undefined;
  try {
    // croner reads an ISO pattern as local time in `timezone`; from the epoch, its next run is that instant.
    instant = new Cron(body, { timezone, paused: true }).nextRun(new Date(0))?.getTime();
  } catch (error) {
    throw new InvalidScheduleExpressionError(expression, "not a valid date and time", { cause: error });
  }
  if (instant === undefined) throw new InvalidScheduleExpressionError(expression, "not a valid date and time");
  const at = instant;
  return { kind: "at", first: () => at, after: () => undefined };
}

function parseRate(expression: string, body: string): ScheduleExpression {
  const match = body.match(/^(\d+)\s+(minutes?|hours?|days?)$/);
  const value = Number(match?.[1]);
  const unit = RATE_UNITS_MS[match?.[2] ?? ""];
  if (!match || unit === undefined || !Number.isSafeInteger(value) || value < 1)
    throw new InvalidScheduleExpressionError(
      expression,
      "rate() takes a positive whole number and minute(s), hour(s) or day(s)",
    );
  const period = value * unit;
  return { kind: "rate", first: (from) => from + period, after: (previous) => previous + period };
}

type AwsCronFields = [string, string, string, string, string, string];

/**
 * AWS cron is `minutes hours day-of-month month day-of-week year`, with 1-7 = SUN-SAT and `?` in one of the day
 * fields. croner reads the same with seconds in front, Quartz weekday numbers and day fields ANDed.
 */
function parseCron(expression: string, body: string, timezone: string): ScheduleExpression {
  const fields = body.split(/\s+/);
  if (fields.length !== 6)
    throw new InvalidScheduleExpressionError(
      expression,
      "cron() takes 6 fields: minutes hours day-of-month month day-of-week year",
    );
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as AwsCronFields;
  if ((dayOfMonth === "?") === (dayOfWeek === "?"))
    throw new InvalidScheduleExpressionError(expression, "exactly one of day-of-month and day-of-week must be '?'");
  // AWS writes the last Friday of the month as 6L; croner as 6#L.
  const weekday = dayOfWeek.replace(/^([0-9A-Za-z]+)L$/, "$1#L");
  let cron: Cron;
  try {
    cron = new Cron(`0 ${minutes} ${hours} ${dayOfMonth} ${month} ${weekday} ${year}`, {
      timezone,
      paused: true,
      mode: "7-part",
      alternativeWeekdays: true,
      domAndDow: true,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidScheduleExpressionError(expression, reason, { cause: error });
  }
  const next = (after: number) => cron.nextRun(new Date(after))?.getTime();
  return { kind: "cron", first: (from) => next(from - 1), after: (previous) => next(previous) };
}
