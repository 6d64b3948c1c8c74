import { describe, expect, it } from "vitest";
import { BarFormatError } from "../../../app/adapters/datalake/errors.ts";
import { parseDecimal, toPrice, toSessionDate, toVolume } from "../../../app/adapters/datalake/values.ts";

describe("toSessionDate", () => {
  it("keeps a plain YYYY-MM-DD date", () => {
    expect(toSessionDate("2026-01-16")).toBe("2026-01-16");
  });

  it("takes the wall-clock date of a zoned ISO timestamp, in its own offset", () => {
    expect(toSessionDate("2026-01-16T20:00:00-05:00")).toBe("2026-01-16");
    expect(toSessionDate("2026-01-16T00:00:00+09:00")).toBe("2026-01-16");
    expect(toSessionDate("2026-01-16T00:00:00Z")).toBe("2026-01-16");
    expect(toSessionDate("2026-01-16 23:30:00+0100")).toBe("2026-01-16");
  });

  it("takes the written date of a timestamp without a zone, whatever the machine's zone", () => {
    expect(toSessionDate("2026-01-16T23:59:59")).toBe("2026-01-16");
    expect(toSessionDate("2026-01-16 00:00:00")).toBe("2026-01-16");
  });

  it("takes the UTC date of a Date", () => {
    expect(toSessionDate(new Date("2026-01-16T23:00:00Z"))).toBe("2026-01-16");
  });

  it("reads epoch bigints in milliseconds, microseconds and nanoseconds by magnitude", () => {
    const ms = BigInt(Date.UTC(2026, 0, 16, 12));
    expect(toSessionDate(ms)).toBe("2026-01-16");
    expect(toSessionDate(ms * 1000n)).toBe("2026-01-16");
    expect(toSessionDate(ms * 1_000_000n)).toBe("2026-01-16");
  });

  it("reads epoch seconds and YYYYMMDD integers", () => {
    expect(toSessionDate(Date.UTC(2026, 0, 16) / 1000)).toBe("2026-01-16");
    expect(toSessionDate(20260116)).toBe("2026-01-16");
  });

  it("rejects text that is not a date", () => {
    expect(() => toSessionDate("16/01/2026")).toThrow(BarFormatError);
    expect(() => toSessionDate("2026-02-30")).toThrow(/not a calendar date/);
    expect(() => toSessionDate("")).toThrow(BarFormatError);
  });

  it("rejects a missing date and values of the wrong kind", () => {
    expect(() => toSessionDate(null)).toThrow(/missing/);
    expect(() => toSessionDate(true)).toThrow(/expected a date/);
    expect(() => toSessionDate(new Date(Number.NaN))).toThrow(BarFormatError);
  });
});

describe("toPrice", () => {
  it("accepts numbers, bigints and decimal strings", () => {
    expect(toPrice(12.5)).toBe(12.5);
    expect(toPrice(12n)).toBe(12);
    expect(toPrice(" 257.10001 ")).toBe(257.10001);
    expect(toPrice("1e3")).toBe(1000);
  });

  it("passes zero and negative prices through for the engine to flag", () => {
    expect(toPrice(0)).toBe(0);
    expect(toPrice("-3.5")).toBe(-3.5);
  });

  it("reads NaN, blanks and nulls as a missing value (NaN)", () => {
    for (const value of [Number.NaN, "NaN", "", " nan ", "null", "NA", "None", null, undefined]) {
      expect(toPrice(value), String(value)).toBeNaN();
    }
  });

  it("rejects infinities and non-numeric text", () => {
    for (const value of [Number.POSITIVE_INFINITY, "abc", "0x10", "Infinity"]) {
      expect(() => toPrice(value), String(value)).toThrow(BarFormatError);
    }
  });

  it("rejects values of the wrong kind", () => {
    expect(() => toPrice(new Uint8Array([1]))).toThrow(/expected a number, found bytes/);
    expect(() => toPrice(false)).toThrow(/found boolean/);
  });
});

describe("toVolume", () => {
  it("reads empty, null and NaN as no volume", () => {
    for (const value of [null, undefined, "", "null", "NaN", Number.NaN]) {
      expect(toVolume(value), String(value)).toBeNull();
    }
  });

  it("reads numbers and keeps a negative volume for the engine to flag", () => {
    expect(toVolume(72142800n)).toBe(72142800);
    expect(toVolume("-5")).toBe(-5);
  });

  it("rejects non-numeric text", () => {
    expect(() => toVolume("lots")).toThrow(BarFormatError);
  });
});

describe("parseDecimal", () => {
  it("returns undefined for anything but a plain decimal", () => {
    expect(parseDecimal("1.5")).toBe(1.5);
    expect(parseDecimal(".5")).toBe(0.5);
    expect(parseDecimal("1,5")).toBeUndefined();
    expect(parseDecimal("1e999")).toBeUndefined();
  });
});
