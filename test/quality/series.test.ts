import { describe, expect, it } from "vitest";
import { dedupeSorted, lowerBound, sortByDate, upperBound } from "../../app/quality/series.ts";
import { bar } from "../helpers/bars.ts";

const dates = (bars: readonly { date: string; close: number }[]) => bars.map((b) => `${b.date}/${b.close}`);

describe("sortByDate", () => {
  it("returns bars already in order as they are, without a copy", () => {
    const bars = [bar("2026-01-05", 1), bar("2026-01-06", 2)];

    expect(sortByDate(bars)).toBe(bars);
  });

  it("sorts out-of-order bars, keeping equal dates in input order", () => {
    const bars = [bar("2026-01-07", 1), bar("2026-01-05", 2), bar("2026-01-07", 3), bar("2026-01-06", 4)];

    const sorted = sortByDate(bars);

    expect(dates(sorted)).toEqual(["2026-01-05/2", "2026-01-06/4", "2026-01-07/1", "2026-01-07/3"]);
    expect(dates(bars)[0]).toBe("2026-01-07/1");
  });
});

describe("dedupeSorted", () => {
  it("keeps the first bar of each date", () => {
    const bars = [bar("2026-01-05", 1), bar("2026-01-05", 2), bar("2026-01-06", 3), bar("2026-01-06", 4)];

    expect(dates(dedupeSorted(bars))).toEqual(["2026-01-05/1", "2026-01-06/3"]);
  });

  it("returns bars without duplicates as they are", () => {
    const bars = [bar("2026-01-05", 1), bar("2026-01-06", 2)];

    expect(dedupeSorted(bars)).toBe(bars);
  });
});

describe("lowerBound and upperBound", () => {
  const bars = [bar("2026-01-05", 1), bar("2026-01-07", 2), bar("2026-01-07", 3), bar("2026-01-09", 4)];

  it("find the first bar on or after, and the first bar after, a date", () => {
    expect([lowerBound(bars, "2026-01-07"), upperBound(bars, "2026-01-07")]).toEqual([1, 3]);
  });

  it("handle dates between and outside the bars", () => {
    expect([lowerBound(bars, "2026-01-06"), lowerBound(bars, "2026-01-01"), upperBound(bars, "2026-02-01")]).toEqual([
      1, 0, 4,
    ]);
  });
});
