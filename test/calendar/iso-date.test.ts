import { describe, expect, it } from "vitest";
import { addDays, daysBetween, InvalidDateError, isoDate, toEpochDay, weekday } from "../../app/calendar/iso-date.ts";

describe("iso dates", () => {
  it("count days from the epoch", () => {
    expect([toEpochDay("1970-01-01"), toEpochDay("2000-03-01"), toEpochDay("2026-11-29")]).toEqual([0, 11017, 20786]);
  });

  it("add days across month, year and leap-day boundaries", () => {
    expect([addDays("2024-02-28", 1), addDays("2024-03-01", -1), addDays("2026-12-31", 1)]).toEqual([
      "2024-02-29",
      "2024-02-29",
      "2027-01-01",
    ]);
  });

  it("name the weekday with Sunday as 0", () => {
    expect([weekday("2026-11-29"), weekday("2026-11-28"), weekday("1969-12-31")]).toEqual([0, 6, 3]);
  });

  it("roll day 0 over to the previous month's last day", () => {
    expect([isoDate(2026, 3, 0), isoDate(2026, 13, 1)]).toEqual(["2026-02-28", "2027-01-01"]);
  });

  it("measure signed distances", () => {
    expect(daysBetween("2026-11-29", "2026-11-19")).toBe(-10);
  });

  it("reject impossible dates and other formats", () => {
    for (const bad of ["2025-02-29", "2026-13-01", "2026-4-1", "2026-04-31", ""]) {
      expect(() => toEpochDay(bad)).toThrow(InvalidDateError);
    }
  });
});
