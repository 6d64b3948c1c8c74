import { describe, expect, it } from "vitest";
import { checkSymbol } from "../../app/quality/check-symbol.ts";
import { bar, patchBar, referenceSeries } from "../helpers/bars.ts";
import { check, cleanBars, codes, issuesOf } from "./fixture.ts";

describe("reference_stale (issue 19, item 4)", () => {
  // The reference is a week behind: its last bar is Friday 2026-01-09; the calendar's last session is 2026-01-16.
  const lagging = cleanBars().slice(0, 5);

  it("reports the lag once, as a warning, and still checks the datalake's later bars on their own", () => {
    const subject = patchBar(cleanBars(), "2026-01-14", { high: 50 });

    const result = check(subject, lagging);

    expect({ status: result.status, codes: codes(result) }).toEqual({
      status: "fail",
      codes: ["ohlc_invalid", "reference_stale"],
    });
    expect(issuesOf(result, "reference_stale")[0]?.message).toBe(
      "the reference's last complete session is 2026-01-09, 5 sessions behind XNYS's last session 2026-01-16: later datalake bars were checked on their own only",
    );
  });

  it("judges the datalake's staleness against the calendar when the reference cannot", () => {
    const result = check(cleanBars().slice(0, 7), lagging);

    expect(issuesOf(result, "stale").map((i) => i.message)).toEqual([
      "last bar is 2026-01-13, 3 sessions behind XNYS's last session 2026-01-16",
    ]);
  });

  it("does not call a reference stale for a lag within an unknown exchange's allowance (holidays it cannot see)", () => {
    const reference = { bars: cleanBars().slice(0, 8), exchangeTimezone: "America/Sao_Paulo", exchange: "B3" };

    const result = checkSymbol({
      symbol: "X",
      subject: cleanBars(),
      reference,
      asOf: new Date("2026-01-17T12:00:00Z"),
      options: { lookbackDays: 14 },
    });

    expect(codes(result)).toEqual([]);
  });
});

describe("reference bars set aside (issue 19, items 4 and 7)", () => {
  it("sets aside a provider bar on a weekend with a note, instead of calling it missing", () => {
    const reference = [...cleanBars(), bar("2026-01-10", 104)].sort((a, b) => (a.date < b.date ? -1 : 1));

    const result = check(cleanBars(), reference);

    expect({ status: result.status, codes: codes(result) }).toEqual({ status: "pass", codes: ["reference_set_aside"] });
    expect(result.issues[0]?.message).toBe(
      "reference bars set aside, neither compared nor required: 2026-01-10 (Saturday, not a session of XNYS)",
    );
  });

  it("sets aside a date the provider answered twice with different values, and compares the rest", () => {
    const reference = {
      ...referenceSeries(cleanBars().filter((b) => b.date !== "2026-01-12")),
      conflicts: ["2026-01-12"],
    };
    const subject = patchBar(cleanBars(), "2026-01-13", { close: 120, high: 121 });

    const result = checkSymbol({
      symbol: "X",
      subject,
      reference,
      asOf: new Date("2026-01-17T04:30:00Z"),
      options: { lookbackDays: 14 },
    });

    expect(codes(result)).toEqual(["price_mismatch", "reference_set_aside"]);
  });
});
