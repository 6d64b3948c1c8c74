import { describe, expect, it } from "vitest";
import { InvalidDateError } from "../../app/calendar/iso-date.ts";
import { zonedDate, zonedTimeToUtc, zoneOffsetMs } from "../../app/calendar/zoned-time.ts";

describe("zoned time", () => {
  it("turns a New York wall-clock time into UTC on both sides of the spring change", () => {
    expect(zonedTimeToUtc("2026-03-07", "09:30", "America/New_York").toISOString()).toBe("2026-03-07T14:30:00.000Z");
    expect(zonedTimeToUtc("2026-03-08", "09:30", "America/New_York").toISOString()).toBe("2026-03-08T13:30:00.000Z");
  });

  it("reads a zone's offset at an instant", () => {
    expect(zoneOffsetMs(Date.parse("2026-07-01T12:00:00Z"), "America/New_York")).toBe(-4 * 3600_000);
  });

  it("works for zones east of UTC", () => {
    expect(zonedTimeToUtc("2026-07-01", "09:00", "Asia/Tokyo").toISOString()).toBe("2026-07-01T00:00:00.000Z");
  });

  it("gives the zone's calendar date", () => {
    expect(zonedDate(new Date("2026-07-01T02:00:00Z"), "America/New_York")).toBe("2026-06-30");
  });

  it("rejects a malformed time", () => {
    expect(() => zonedTimeToUtc("2026-07-01", "9:30", "America/New_York")).toThrow(InvalidDateError);
  });
});
