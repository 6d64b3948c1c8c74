import { describe, expect, it } from "vitest";
import { daysBetween } from "../../app/calendar/iso-date.ts";
import { tradingDays } from "../../app/calendar/nyse-calendar.ts";
import {
  coverageFigures,
  dailyCapacity,
  describeCoverage,
  lookbackWarning,
  nextState,
  requiredLookbackDays,
  rotationLength,
  type SymbolCoverage,
  selectSlice,
  universeKey,
} from "../../app/pipeline/coverage.ts";

const AT = "2026-01-14T04:30:00.000Z";

function state(symbol: string, overrides: Partial<SymbolCoverage> = {}): SymbolCoverage {
  return { symbol, checkedAt: AT, round: 1, outcome: "pass", verifiedRound: 1, sessionId: "s1", ...overrides };
}

const universe = (n: number) => Array.from({ length: n }, (_, i) => `S${String(i).padStart(4, "0")}`);

describe("the plan's day and the rotation", () => {
  it("counts a day's symbols as the day cap, or the windows a day holds when that is less", () => {
    const basic = { creditsPerDay: 800, creditsPerWindow: 8, windowMs: 60_000, marginMs: 1_000 };

    expect(dailyCapacity(basic)).toBe(800);
    expect(dailyCapacity({ ...basic, creditsPerDay: null })).toBe(Math.floor(86_400_000 / 61_000) * 8);
  });

  it("rotates 5,000 symbols on Basic in 7 daily sessions, and a universe that fits in one", () => {
    expect(rotationLength(5_000, 800)).toBe(7);
    expect(rotationLength(800, 800)).toBe(1);
    expect(rotationLength(40, 16)).toBe(3);
  });

  it("lengthens the rotation by the failures every session checks again, up to half of each day", () => {
    // 51 failing symbols take 51 of each day's 800: the other 4,949 share 749 a day.
    expect(rotationLength(5_000, 800, 51)).toBe(Math.ceil(4_949 / 749));
    expect(rotationLength(40, 16, 30)).toBe(Math.ceil((40 - 8) / 8));
  });

  it("asks for a lookback that spans the longest calendar gap of a rotation on the NYSE calendar", () => {
    // Good Friday 2026 (April 3): Thursday's session to Monday's is four calendar days.
    expect(daysBetween("2026-04-02", "2026-04-06")).toBe(4);
    expect(requiredLookbackDays(1)).toBeGreaterThanOrEqual(4);
    const sessions = tradingDays("2024-01-01", "2030-12-31");
    for (const rotation of [1, 3, 7]) {
      const needed = requiredLookbackDays(rotation);
      // Every pair of sessions `rotation` apart is within it, and some pair needs all of it.
      const gaps = sessions.slice(rotation).map((d, i) => daysBetween(sessions[i] as string, d));
      expect(Math.max(...gaps)).toBe(needed);
    }
  });

  it("warns when the lookback is shorter than the rotation needs, and says what it should be", () => {
    const needed = requiredLookbackDays(7);

    expect(lookbackWarning(needed, 7)).toBeUndefined();
    expect(lookbackWarning(10, 7)).toBe(
      `lookbackDays 10 is shorter than the rotation of 7 daily sessions: bars between two checks of a symbol go unverified; set lookbackDays to at least ${needed}`,
    );
  });

  it("keys a universe by its datalake, never by the URI itself", () => {
    const key = universeKey("s3://bucket/prefix/{symbol}/daily.parquet");

    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(universeKey("s3://bucket/other/{symbol}/daily.parquet")).not.toBe(key);
  });
});

describe("today's slice", () => {
  it("takes failures and errors first, then never-checked symbols, then the oldest verified", () => {
    const states = new Map([
      ["S0000", state("S0000", { verifiedThrough: "2026-01-05", verifiedRound: 1 })],
      ["S0001", state("S0001", { outcome: "fail", round: 3, verifiedRound: 3 })],
      ["S0002", state("S0002", { verifiedThrough: "2026-01-02", verifiedRound: 1 })],
      ["S0003", state("S0003", { outcome: "error", round: 2 })],
      ["S0004", state("S0004", { verifiedThrough: "2026-01-09", verifiedRound: 3 })],
    ]);

    const slice = selectSlice(universe(8), states, 6);

    expect(slice.symbols).toEqual(["S0003", "S0001", "S0005", "S0006", "S0007", "S0002"]);
    expect([slice.retried, slice.neverChecked, slice.oldest]).toEqual([2, 3, 1]);
  });

  it("gives failures at most half the slice while others wait, so an outage cannot stop the rotation", () => {
    const states = new Map(universe(10).map((s) => [s, state(s, { outcome: "error" })]));

    const slice = selectSlice(universe(20), states, 8);

    expect(slice.retried).toBe(4);
    expect(slice.neverChecked).toBe(4);
  });

  it("lets failures fill the slice when nothing else is waiting", () => {
    const states = new Map(universe(10).map((s) => [s, state(s, { outcome: "fail" })]));

    expect(selectSlice(universe(10), states, 8).retried).toBe(8);
  });

  it("never takes more than the budget, nor a symbol twice", () => {
    const states = new Map(universe(30).map((s, i) => [s, state(s, { outcome: i % 3 ? "pass" : "fail" })]));

    const slice = selectSlice(universe(50), states, 17);

    expect(slice.symbols).toHaveLength(17);
    expect(new Set(slice.symbols).size).toBe(17);
  });

  it("rotates a universe: each symbol once per rotation when every check passes", () => {
    const symbols = universe(40);
    const states = new Map<string, SymbolCoverage>();
    const checks = new Map<string, number[]>();
    for (let round = 1; round <= 9; round++) {
      for (const symbol of selectSlice(symbols, states, 16).symbols) {
        states.set(symbol, state(symbol, { round, verifiedRound: round }));
        checks.set(symbol, [...(checks.get(symbol) ?? []), round]);
      }
    }
    for (const rounds of checks.values()) {
      const gaps = rounds.slice(1).map((r, i) => r - (rounds[i] as number));
      expect(Math.max(...gaps)).toBeLessThanOrEqual(rotationLength(40, 16));
    }
    expect(checks.size).toBe(40);
  });
});

describe("the figures", () => {
  it("says how recently every bar was verified, what is due, what fails and what is overdue", () => {
    const states = [
      ...universe(4).map((s, i) => state(s, { round: 4 + i, verifiedRound: 4 + i })),
      state("F", { outcome: "fail", round: 6, verifiedRound: 6 }),
      state("E", { outcome: "error", round: 7, verifiedRound: 2 }),
    ];

    const figures = coverageFigures({
      size: 7,
      states,
      round: 8,
      firstRound: 1,
      rotation: 3,
      lookbackDays: 30,
      at: AT,
    });

    expect(figures).toMatchObject({
      symbols: 7,
      verifiedWithin: 6,
      neverChecked: 1,
      failing: 1,
      errored: 1,
      // S0000 (age 4), S0001 (age 3), F, E and the never-checked one.
      due: 5,
      // E (verified 6 rounds ago: more than the rotation and the next day's retry) and the never-checked one, the
      // universe being in rotation for longer than a rotation; S0000 (age 4) is within its day of grace.
      overdue: 2,
    });
    expect(describeCoverage(figures)).toBe(
      "7 symbols: 6 verified within the last 6 sessions, 1 never checked; 5 due today; 1 failing; 1 could not be checked; 2 overdue (rotation 3 sessions)",
    );
  });

  it("reads like the issue's example once every symbol is in rotation", () => {
    const states = universe(5_000).map((s, i) => state(s, { round: 10 - (i % 7), verifiedRound: 10 - (i % 7) }));

    const figures = coverageFigures({
      size: 5_000,
      states,
      round: 11,
      firstRound: 1,
      rotation: 7,
      lookbackDays: requiredLookbackDays(7),
      at: AT,
    });

    expect(describeCoverage(figures)).toBe(
      "5,000 symbols: every bar verified within the last 7 sessions; 714 due today; 0 failing",
    );
    expect(figures.lookbackWarning).toBeUndefined();
  });

  it("does not count never-checked symbols overdue before the universe has had a whole rotation", () => {
    const figures = coverageFigures({
      size: 10,
      states: [],
      round: 2,
      firstRound: 1,
      rotation: 3,
      lookbackDays: 30,
      at: AT,
    });

    expect([figures.neverChecked, figures.overdue]).toEqual([10, 0]);
    expect(describeCoverage(figures)).toBe("10 symbols: none verified yet; 10 due today; 0 failing");
  });
});

describe("a symbol's next state", () => {
  it("moves the verified bar on a pass or a fail, and keeps it through an error", () => {
    const passed = nextState(
      undefined,
      { symbol: "A", status: "pass", validatedAt: AT, lastReferenceDate: "2026-01-13" },
      2,
      "s2",
    );
    const errored = nextState(
      passed,
      { symbol: "A", status: "error", validatedAt: AT, lastReferenceDate: null },
      3,
      "s3",
    );

    expect(passed).toMatchObject({ round: 2, verifiedRound: 2, verifiedThrough: "2026-01-13", outcome: "pass" });
    expect(errored).toMatchObject({ round: 3, verifiedRound: 2, verifiedThrough: "2026-01-13", outcome: "error" });
  });
});
