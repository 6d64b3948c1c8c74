import { describe, expect, it } from "vitest";
import { finalAt, lastFinalSession, resolveMarket } from "../../app/calendar/markets.ts";

describe("resolveMarket", () => {
  it("puts US venues on the NYSE calendar, holidays and early closes included", () => {
    const nasdaq = resolveMarket({ timezone: "America/New_York", mic: "XNAS", exchange: "NASDAQ" });

    expect([nasdaq.isSession("2026-01-19"), nasdaq.closeOf("2026-11-27"), nasdaq.knowledge]).toEqual([
      false,
      "13:00",
      "holidays",
    ]);
  });

  it("knows XETRA's zone and close but only its weekends", () => {
    const xetra = resolveMarket({ timezone: "Europe/Berlin", mic: "XETR", exchange: "XETR" });

    expect([xetra.id, xetra.closeOf("2026-01-16"), xetra.isSession("2026-01-17"), xetra.knowledge]).toEqual([
      "XETR",
      "17:35",
      false,
      "weekends",
    ]);
  });

  it("runs forex Monday to Friday and crypto every day, both in UTC days closing at 24:00", () => {
    const forex = resolveMarket({ timezone: "UTC", kind: "forex" });
    const crypto = resolveMarket({ timezone: "UTC", kind: "crypto" });

    expect([forex.isSession("2026-01-17"), crypto.isSession("2026-01-17"), crypto.closeOf("2026-01-17")]).toEqual([
      false,
      true,
      "24:00",
    ]);
  });

  it("takes an exchange it does not know as Monday to Friday in its time zone, at the fallback close", () => {
    const unknown = resolveMarket({ timezone: "America/Sao_Paulo", exchange: "B3" }, {}, { close: "17:00" });

    expect([
      unknown.id,
      unknown.isSession("2026-01-17"),
      unknown.closeOf("2026-01-16"),
      unknown.staleAfterSessions,
    ]).toEqual(["B3", false, "17:00", 5]);
  });

  it("applies the profile's override by MIC: close, settle, weekend and holidays", () => {
    const market = resolveMarket(
      { timezone: "Asia/Riyadh", mic: "XSAU" },
      { xsau: { close: "15:10", settleMinutes: 10, weekend: [5, 6], holidays: ["2026-03-19"] } },
    );

    expect([
      market.closeOf("2026-01-15"),
      market.settleMinutes,
      market.isSession("2026-01-16"),
      market.isSession("2026-01-18"),
      market.isSession("2026-03-19"),
    ]).toEqual(["15:10", 10, false, true, false]);
  });
});

describe("lastFinalSession", () => {
  it("is the last session whose close plus settle buffer has passed", () => {
    const nyse = resolveMarket({ timezone: "America/New_York", mic: "XNYS" });

    expect([
      lastFinalSession(nyse, new Date("2026-01-16T21:10:00Z")),
      lastFinalSession(nyse, new Date("2026-01-16T21:30:00Z")),
      lastFinalSession(nyse, new Date("2026-01-20T12:00:00Z")),
    ]).toEqual(["2026-01-15", "2026-01-16", "2026-01-16"]);
  });

  it("ends a crypto day at midnight UTC", () => {
    const crypto = resolveMarket({ timezone: "UTC", kind: "crypto" });

    expect(new Date(finalAt(crypto, "2026-01-16")).toISOString()).toBe("2026-01-17T00:30:00.000Z");
  });
});
