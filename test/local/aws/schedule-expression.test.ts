import { describe, expect, it } from "vitest";
import { SCHEDULE } from "../../../app/wiring.ts";
import { InvalidScheduleExpressionError } from "../../../local/aws/errors.ts";
import { parseScheduleExpression } from "../../../local/aws/schedule-expression.ts";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const FRIDAY_NOON_UTC = Date.parse("2026-01-16T12:00:00Z");

describe("parseScheduleExpression", () => {
  it("reads the daily cron in UTC: next run Saturday 04:30", () => {
    const cron = parseScheduleExpression(SCHEDULE.defaultCron, "UTC");

    expect(iso(cron.first(FRIDAY_NOON_UTC))).toBe("2026-01-17T04:30:00.000Z");
  });

  it("reads cron fields in the schedule's time zone", () => {
    const cron = parseScheduleExpression(SCHEDULE.defaultCron, "America/New_York");

    expect(iso(cron.first(FRIDAY_NOON_UTC))).toBe("2026-01-17T09:30:00.000Z");
  });

  it("skips the days the day-of-week field excludes", () => {
    const cron = parseScheduleExpression(SCHEDULE.defaultCron, "UTC");
    const saturday = cron.first(FRIDAY_NOON_UTC) ?? 0;

    expect(iso(cron.after(saturday))).toBe("2026-01-20T04:30:00.000Z");
  });

  it("numbers weekdays as AWS does: 1 is Sunday", () => {
    const cron = parseScheduleExpression("cron(0 8 ? * 1 *)", "UTC");

    expect(iso(cron.first(FRIDAY_NOON_UTC))).toBe("2026-01-18T08:00:00.000Z");
  });

  it("reads AWS's last-weekday-of-month form", () => {
    const cron = parseScheduleExpression("cron(0 10 ? * 6L *)", "UTC");

    expect(iso(cron.first(FRIDAY_NOON_UTC))).toBe("2026-01-30T10:00:00.000Z");
  });

  it("includes an occurrence exactly at the start", () => {
    const cron = parseScheduleExpression("cron(0 12 * * ? *)", "UTC");

    expect(iso(cron.first(FRIDAY_NOON_UTC))).toBe("2026-01-16T12:00:00.000Z");
  });

  it("reads at() as local time in the time zone", () => {
    const at = parseScheduleExpression("at(2026-01-17T00:05:00)", "Europe/Berlin");

    expect(iso(at.first(0))).toBe("2026-01-16T23:05:00.000Z");
    expect(at.after(at.first(0) ?? 0)).toBeUndefined();
  });

  it("keeps an at() instant that is already past, so it fires at once", () => {
    const at = parseScheduleExpression("at(2020-01-01T00:00:00)");

    expect(iso(at.first(FRIDAY_NOON_UTC))).toBe("2020-01-01T00:00:00.000Z");
  });

  it("repeats rate() by its period", () => {
    const rate = parseScheduleExpression("rate(5 minutes)");

    expect(rate.first(0)).toBe(300_000);
    expect(rate.after(300_000)).toBe(600_000);
  });

  it.each([
    ["cron(30 4 * * TUE-SAT *)", "both day fields set"],
    ["cron(30 4 ? * *)", "five fields"],
    ["rate(0 minutes)", "a zero rate"],
    ["rate(5 weeks)", "an unknown unit"],
    ["at(2026-01-17)", "a date without a time"],
    ["every day", "no known form"],
  ])("rejects %s (%s)", (expression) => {
    expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleExpressionError);
  });

  it("rejects an unknown time zone", () => {
    expect(() => parseScheduleExpression("rate(1 day)", "Mars/Olympus")).toThrow(InvalidScheduleExpressionError);
  });
});
