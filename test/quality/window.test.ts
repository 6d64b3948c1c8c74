import { describe, expect, it } from "vitest";
import { CheckCode } from "../../app/quality/types.ts";
import { findWindow } from "../../app/quality/window.ts";
import { barOn, makeBars, patchBar, referenceSeries, sessionDates, withoutDates } from "../helpers/bars.ts";
import { check, cleanBars, codes, issuesOf } from "./fixture.ts";

const OPTIONS = { lookbackDays: 10, sessionClose: "16:00", settleMinutes: 0 };

describe("findWindow", () => {
  it("ends at the last complete session and spans lookbackDays calendar days", () => {
    const window = findWindow(referenceSeries(cleanBars()), new Date("2026-01-17T04:30:00Z"), OPTIONS);

    expect({ start: window?.start, end: window?.end, first: window?.reference[window.referenceStart]?.date }).toEqual({
      start: "2026-01-07",
      end: "2026-01-16",
      first: "2026-01-07",
    });
  });

  it("treats today's bar as complete from the session close on, in exchange time (winter)", () => {
    const reference = referenceSeries(cleanBars());

    const before = findWindow(reference, new Date("2026-01-16T20:59:00Z"), OPTIONS);
    const after = findWindow(reference, new Date("2026-01-16T21:00:00Z"), OPTIONS);

    expect([before?.end, after?.end]).toEqual(["2026-01-15", "2026-01-16"]);
  });

  it("waits for the settle buffer after the close before a bar is final", () => {
    const reference = referenceSeries(cleanBars());
    const settled = { ...OPTIONS, settleMinutes: 30 };

    const during = findWindow(reference, new Date("2026-01-16T21:29:00Z"), settled);
    const after = findWindow(reference, new Date("2026-01-16T21:30:00Z"), settled);

    expect([during?.end, after?.end]).toEqual(["2026-01-15", "2026-01-16"]);
  });

  it("uses each exchange's own close: XETRA's 17:35 in Berlin, not 16:00", () => {
    const dates = sessionDates("2026-01-05", 10);
    const xetra = { bars: makeBars(dates), exchangeTimezone: "Europe/Berlin", mic: "XETR", exchange: "XETR" };
    const at = (instant: string) => findWindow(xetra, new Date(instant), OPTIONS)?.end;

    // 16:30 Berlin is 15:30 UTC in January: the closing auction is still to come.
    expect([at("2026-01-16T15:30:00Z"), at("2026-01-16T16:35:00Z")]).toEqual(["2026-01-15", "2026-01-16"]);
  });

  it("closes crypto days at 24:00 UTC: today's bar is never final", () => {
    const crypto = { bars: makeBars(["2026-01-15", "2026-01-16"]), exchangeTimezone: "UTC", kind: "crypto" as const };

    expect(findWindow(crypto, new Date("2026-01-16T23:59:00Z"), OPTIONS)?.end).toBe("2026-01-15");
  });

  it("follows daylight saving time: 20:30 UTC is after the close in July", () => {
    const reference = referenceSeries(makeBars(sessionDates("2026-07-06", 10)));

    const window = findWindow(reference, new Date("2026-07-17T20:30:00Z"), OPTIONS);

    expect(window?.end).toBe("2026-07-17");
  });

  it("honours a custom session close for an exchange dq does not know", () => {
    const reference = { ...referenceSeries(cleanBars()), exchange: "SOMEWHERE" };

    const window = findWindow(reference, new Date("2026-01-16T19:00:00Z"), { ...OPTIONS, sessionClose: "13:00" });

    expect(window?.end).toBe("2026-01-16");
  });

  it("returns undefined when the only reference bar is still in progress", () => {
    const reference = referenceSeries(makeBars(["2026-01-16"]));

    const window = findWindow(reference, new Date("2026-01-16T15:00:00Z"), OPTIONS);

    expect(window).toBeUndefined();
  });

  it("keeps the first of duplicate reference dates and sorts the reference", () => {
    const bars = cleanBars();
    const reference = referenceSeries([
      ...bars.slice(5).reverse(),
      { ...barOn(bars, "2026-01-07"), close: 1 },
      ...bars.slice(0, 5),
    ]);

    const window = findWindow(reference, new Date("2026-01-17T04:30:00Z"), { ...OPTIONS, lookbackDays: 14 });

    expect(window?.reference.map((b) => b.date)).toEqual(bars.map((b) => b.date));
    expect(window?.reference[2]?.close).toBe(1);
  });
});

describe("the window in checkSymbol", () => {
  it("does not make a Tuesday 04:30 UTC run stale after a Monday holiday the reference skips", () => {
    const dates = sessionDates("2026-01-12", 5); // Jan 12-16; Monday Jan 19 is Martin Luther King Jr. Day
    const bars = makeBars(dates, (i) => 100 + i);

    const result = check(bars, bars, {}, new Date("2026-01-20T04:30:00Z"));

    expect({ status: result.status, issues: result.issues, last: result.metrics.lastReferenceDate }).toEqual({
      status: "pass",
      issues: [],
      last: "2026-01-16",
    });
  });

  it("compares a half day (the day after Thanksgiving) like any session", () => {
    const dates = sessionDates("2026-11-16", 9, ["2026-11-26"]);
    const reference = makeBars(dates, (i) => 100 + i);
    const subject = patchBar(reference, "2026-11-27", { close: 107 * 1.03 });

    const result = check(subject, reference, {}, new Date("2026-11-28T04:30:00Z"));

    expect(issuesOf(result, CheckCode.priceMismatch).map((item) => item.date)).toEqual(["2026-11-27"]);
    expect(result.metrics.lastReferenceDate).toBe("2026-11-27");
  });

  it("neither compares nor requires today's partial reference bar during the session", () => {
    const reference = patchBar(cleanBars(), "2026-01-16", { close: 50, low: 49, open: 50, high: 51 });
    const subject = withoutDates(cleanBars(), "2026-01-16");

    const result = check(subject, reference, {}, new Date("2026-01-16T15:00:00Z"));

    expect({ status: result.status, issues: result.issues, last: result.metrics.lastReferenceDate }).toEqual({
      status: "pass",
      issues: [],
      last: "2026-01-15",
    });
  });

  it("ignores a subject bar dated after the last complete session", () => {
    const reference = withoutDates(cleanBars(), "2026-01-16");

    const result = check(cleanBars(), reference, {}, new Date("2026-01-16T15:00:00Z"));

    expect({ issues: result.issues, subjectRows: result.metrics.subjectRows }).toEqual({ issues: [], subjectRows: 9 });
  });

  it("requires today's bar once the session has closed", () => {
    const subject = withoutDates(cleanBars(), "2026-01-16");

    const result = check(subject, cleanBars(), {}, new Date("2026-01-16T21:30:00Z"));

    expect(codes(result)).toEqual(["stale"]);
  });

  it("does not report duplicate reference dates as a subject defect", () => {
    const bars = cleanBars();
    const reference = [...bars.slice(0, 3), barOn(bars, "2026-01-07"), ...bars.slice(3)];

    const result = check(bars, reference);

    expect({ issues: result.issues, referenceRows: result.metrics.referenceRows }).toEqual({
      issues: [],
      referenceRows: 10,
    });
  });

  it("leaves sessions before the window out of every check and count", () => {
    const subject = withoutDates(cleanBars(), "2026-01-06");

    const result = check(subject, cleanBars(), { lookbackDays: 10 });

    expect({
      issues: result.issues,
      subjectRows: result.metrics.subjectRows,
      referenceRows: result.metrics.referenceRows,
    }).toEqual({
      issues: [],
      subjectRows: 8,
      referenceRows: 8,
    });
  });
});
