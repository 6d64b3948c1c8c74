import { describe, expect, it } from "vitest";
import { InvalidDateError } from "../../app/calendar/iso-date.ts";
import {
  easterSunday,
  exchangeDate,
  isTradingDay,
  lastCompleteSession,
  nextTradingDay,
  nyseEarlyCloses,
  nyseHolidays,
  previousTradingDay,
  sessionClose,
  sessionFraction,
  sessionTimes,
  tradingDays,
} from "../../app/calendar/nyse-calendar.ts";

const dates = (year: number) => nyseHolidays(year).map((h) => h.date);

describe("NYSE holidays", () => {
  it("match the published 2025 schedule, with the day of mourning for President Carter", () => {
    expect(dates(2025)).toEqual([
      "2025-01-01",
      "2025-01-09",
      "2025-01-20",
      "2025-02-17",
      "2025-04-18",
      "2025-05-26",
      "2025-06-19",
      "2025-07-04",
      "2025-09-01",
      "2025-11-27",
      "2025-12-25",
    ]);
  });

  it("match the published 2026 schedule, Independence Day observed on Friday July 3", () => {
    expect(dates(2026)).toEqual([
      "2026-01-01",
      "2026-01-19",
      "2026-02-16",
      "2026-04-03",
      "2026-05-25",
      "2026-06-19",
      "2026-07-03",
      "2026-09-07",
      "2026-11-26",
      "2026-12-25",
    ]);
  });

  it("does not observe New Year's Day on the Friday before when it falls on a Saturday", () => {
    expect(isTradingDay("2021-12-31")).toBe(true);
    expect(dates(2022)[0]).toBe("2022-01-17");
  });

  it("observes a Sunday holiday on the Monday after", () => {
    expect(dates(2023)[0]).toBe("2023-01-02");
    expect(isTradingDay("2022-06-20")).toBe(false);
  });

  it("observes a Saturday Christmas on the Friday before", () => {
    expect(sessionClose("2021-12-24")).toBeNull();
    expect(isTradingDay("2027-12-24")).toBe(false);
  });

  it("has no Juneteenth before 2022", () => {
    expect(isTradingDay("2021-06-18")).toBe(true);
  });

  it("puts Good Friday two days before Easter computed for the Gregorian calendar", () => {
    expect(["2019", "2024", "2025", "2026", "2038", "2285"].map((y) => easterSunday(Number(y)))).toEqual([
      "2019-04-21",
      "2024-03-31",
      "2025-04-20",
      "2026-04-05",
      "2038-04-25",
      "2285-03-22",
    ]);
  });
});

describe("NYSE early closes", () => {
  it("are July 3, the day after Thanksgiving and December 24 in 2025", () => {
    expect(nyseEarlyCloses(2025)).toEqual(["2025-07-03", "2025-11-28", "2025-12-24"]);
  });

  it("skip July 3 when it is the observed Independence Day (2026)", () => {
    expect(nyseEarlyCloses(2026)).toEqual(["2026-11-27", "2026-12-24"]);
  });

  it("close at 13:00, regular sessions at 16:00 and closed days not at all", () => {
    expect([sessionClose("2026-11-27"), sessionClose("2026-11-25"), sessionClose("2026-11-28")]).toEqual([
      "13:00",
      "16:00",
      null,
    ]);
  });
});

describe("trading days", () => {
  it("count 252 in 2024, 250 in 2025 and 251 in 2026", () => {
    const count = (y: number) => tradingDays(`${y}-01-01`, `${y}-12-31`).length;
    expect([count(2024), count(2025), count(2026)]).toEqual([252, 250, 251]);
  });

  it("include both ends of the range and skip weekends and holidays", () => {
    expect(tradingDays("2026-11-20", "2026-11-30")).toEqual([
      "2026-11-20",
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
      "2026-11-27",
      "2026-11-30",
    ]);
  });

  it("step over a holiday weekend in both directions", () => {
    expect(previousTradingDay("2026-01-20")).toBe("2026-01-16");
    expect(nextTradingDay("2026-01-16")).toBe("2026-01-20");
  });

  it("reject a date that does not exist", () => {
    expect(() => isTradingDay("2026-02-30")).toThrow(InvalidDateError);
  });
});

describe("session instants", () => {
  it("open at 14:30 UTC in winter and 13:30 UTC after the March change", () => {
    expect(sessionTimes("2026-03-06")?.open.toISOString()).toBe("2026-03-06T14:30:00.000Z");
    expect(sessionTimes("2026-03-09")?.open.toISOString()).toBe("2026-03-09T13:30:00.000Z");
  });

  it("close at 20:00 UTC in summer and 21:00 UTC after the November change", () => {
    expect(sessionTimes("2026-10-30")?.close.toISOString()).toBe("2026-10-30T20:00:00.000Z");
    expect(sessionTimes("2026-11-02")?.close.toISOString()).toBe("2026-11-02T21:00:00.000Z");
  });

  it("close a half day at 13:00 New York time", () => {
    expect(sessionTimes("2026-11-27")?.close.toISOString()).toBe("2026-11-27T18:00:00.000Z");
  });

  it("are null on a closed day", () => {
    expect(sessionTimes("2026-11-26")).toBeNull();
  });

  it("give the New York date of an instant", () => {
    expect(exchangeDate(new Date("2026-11-28T03:00:00Z"))).toBe("2026-11-27");
  });

  it("measure the elapsed share of a session", () => {
    const at = (iso: string) => sessionFraction("2026-11-27", new Date(iso));
    expect([at("2026-11-27T14:00:00Z"), at("2026-11-27T16:15:00Z"), at("2026-11-27T18:00:00Z")]).toEqual([0, 0.5, 1]);
  });
});

describe("last complete session", () => {
  it("is the Friday before a Monday holiday for Tuesday's 04:30 UTC run", () => {
    expect(lastCompleteSession(new Date("2026-01-20T04:30:00Z"))).toBe("2026-01-16");
  });

  it("is the previous session while today's is open", () => {
    expect(lastCompleteSession(new Date("2026-11-27T16:00:00Z"))).toBe("2026-11-25");
  });

  it("is today's session from its close on", () => {
    expect(lastCompleteSession(new Date("2026-11-27T18:00:00Z"))).toBe("2026-11-27");
  });
});
