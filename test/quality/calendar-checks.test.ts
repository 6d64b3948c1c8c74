import { describe, expect, it } from "vitest";
import { checkSymbol } from "../../app/quality/check-symbol.ts";
import { bar, makeBars, sessionDates } from "../helpers/bars.ts";
import { AS_OF, check, cleanBars, issuesOf } from "./fixture.ts";

const byDate = (a: { date: string }, b: { date: string }) => (a.date < b.date ? -1 : 1);

describe("bars on dates that are not sessions (issue 12)", () => {
  it("reports a weekend bar after the reference's last bar", () => {
    // The reference stops on Thursday 2026-01-15; the datalake has Friday and a Saturday bar after it.
    const reference = cleanBars().slice(0, 9);
    const subject = [...cleanBars(), bar("2026-01-17", 110)];

    const result = check(subject, reference, {}, new Date("2026-01-18T12:00:00Z"));

    expect(issuesOf(result, "extra_bars").map((i) => i.message)).toEqual([
      "bar on 2026-01-17 (Saturday), not a session of XNYS",
    ]);
  });

  it("reports a holiday bar from the exchange calendar, even where the reference has no bar yet", () => {
    // Monday 2026-01-19 is Martin Luther King, Jr. Day: the NYSE is closed.
    const subject = [...cleanBars(), bar("2026-01-19", 110)];

    const result = check(subject, cleanBars(), {}, new Date("2026-01-20T12:00:00Z"));

    expect(issuesOf(result, "extra_bars").map((i) => i.date)).toEqual(["2026-01-19"]);
  });

  it("reports non-session bars before the window too", () => {
    const history = makeBars(sessionDates("2025-12-01", 33, ["2025-12-25", "2026-01-01"]), 100);
    const subject = [...history, bar("2025-12-06", 100)].sort(byDate);

    const result = check(subject, history, { lookbackDays: 5 }, new Date("2026-01-20T12:00:00Z"));

    expect(issuesOf(result, "extra_bars").map((i) => i.date)).toEqual(["2025-12-06"]);
  });

  it("reports a bar dated after the as-of date as future_bar, an error", () => {
    const subject = [...cleanBars(), bar("2026-01-20", 110)];

    const result = check(subject, cleanBars(), {}, AS_OF);

    expect([result.status, issuesOf(result, "future_bar").map((i) => i.message)]).toEqual([
      "fail",
      ["bar dated 2026-01-20, after the as-of date 2026-01-16 (America/New_York)"],
    ]);
  });

  it("judges only weekends for an exchange dq does not know", () => {
    const reference = { bars: cleanBars(), exchangeTimezone: "America/Sao_Paulo", exchange: "B3" };
    const subject = [...cleanBars(), bar("2026-01-17", 110)];

    const asOf = new Date("2026-01-18T12:00:00Z");

    const result = checkSymbol({ symbol: "X", subject, reference, asOf, options: { lookbackDays: 14 } });

    expect(issuesOf(result, "extra_bars").map((i) => i.message)).toEqual([
      "bar on 2026-01-17 (Saturday), not a session of B3",
    ]);
  });
});
