import { describe, expect, it } from "vitest";
import { InvalidCheckInputError } from "../../app/quality/errors.ts";
import { DEFAULT_CHECK_OPTIONS, resolveCheckOptions } from "../../app/quality/options.ts";
import { CheckCode } from "../../app/quality/types.ts";

describe("resolveCheckOptions", () => {
  it("returns the defaults when nothing is given", () => {
    const options = resolveCheckOptions();

    expect({ ...options, enabled: [...options.enabled].sort() }).toEqual({
      lookbackDays: 10,
      tolerances: {
        closePct: 1,
        openHighLowPct: 2,
        volumePct: 10,
        outlierReturnPct: 25,
        adjustmentRatioSpreadPct: 0.5,
        priceTicks: 1,
        ohlcEpsilonPct: 0.001,
      },
      enabled: Object.values(CheckCode)
        .filter((code) => code !== "volume_mismatch")
        .sort(),
      sessionClose: "16:00",
      settleMinutes: 30,
      markets: {},
      tickSize: undefined,
      severities: {},
      maxIssuesPerCode: 10,
    });
  });

  it("fills each missing tolerance with its default", () => {
    const options = resolveCheckOptions({ lookbackDays: 30, tolerances: { closePct: 0.5 } });

    expect({ lookbackDays: options.lookbackDays, tolerances: options.tolerances }).toEqual({
      lookbackDays: 30,
      tolerances: { ...DEFAULT_CHECK_OPTIONS.tolerances, closePct: 0.5 },
    });
  });

  it("returns the same resolved object for the same partial options", () => {
    const partial = { lookbackDays: 20 };

    expect(resolveCheckOptions(partial)).toBe(resolveCheckOptions(partial));
  });

  it.each([
    [{ lookbackDays: 0 }, "lookbackDays"],
    [{ lookbackDays: 2.5 }, "lookbackDays"],
    [{ maxIssuesPerCode: 0 }, "maxIssuesPerCode"],
    [{ sessionClose: "4pm" }, "sessionClose"],
    [{ sessionClose: "24:00" }, "sessionClose"],
    [{ tolerances: { closePct: -1 } }, "tolerances.closePct"],
    [{ tolerances: { volumePct: Number.NaN } }, "tolerances.volumePct"],
    [{ enabled: new Set(["nonsense" as CheckCode]) }, "enabled"],
  ])("rejects %j naming %s", (partial, field) => {
    const act = () => resolveCheckOptions(partial);

    expect(act).toThrow(expect.objectContaining({ name: "InvalidCheckInputError", field }));
  });

  it("throws an error an operator can read", () => {
    const act = () => resolveCheckOptions({ lookbackDays: -3 });

    expect(act).toThrow(new InvalidCheckInputError("lookbackDays", "expected a positive integer, got -3"));
  });
});
