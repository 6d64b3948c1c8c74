import { describe, expect, it } from "vitest";
import { addDays, localTime, weekdayName } from "../../app/quality/calendar.ts";

describe("addDays", () => {
  it("moves across month and year ends, both ways", () => {
    expect([addDays("2026-01-03", -9), addDays("2026-02-27", 2), addDays("2024-02-28", 1)]).toEqual([
      "2025-12-25",
      "2026-03-01",
      "2024-02-29",
    ]);
  });
});

describe("localTime", () => {
  it("reads the exchange's wall clock in winter and in summer", () => {
    expect([
      localTime(new Date("2026-01-20T04:30:00Z"), "America/New_York"),
      localTime(new Date("2026-07-21T04:30:00Z"), "America/New_York"),
    ]).toEqual([
      { date: "2026-01-19", time: "23:30" },
      { date: "2026-07-21", time: "00:30" },
    ]);
  });

  it("answers the same instant in different zones independently", () => {
    const instant = new Date("2026-01-16T07:00:00Z");

    expect([localTime(instant, "Asia/Tokyo"), localTime(instant, "Europe/London")]).toEqual([
      { date: "2026-01-16", time: "16:00" },
      { date: "2026-01-16", time: "07:00" },
    ]);
  });

  it("throws RangeError for an unknown zone", () => {
    expect(() => localTime(new Date("2026-01-16T07:00:00Z"), "Nowhere/Special")).toThrow(RangeError);
  });
});

describe("weekdayName", () => {
  it("names the day of a date", () => {
    expect([weekdayName("2026-01-10"), weekdayName("2026-01-12")]).toEqual(["Saturday", "Monday"]);
  });
});
