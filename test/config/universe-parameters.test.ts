import { describe, expect, it } from "vitest";
import { ConfigError } from "../../app/config/config.ts";
import { decodeUniverse, encodeUniverse } from "../../app/config/universe-parameters.ts";

const symbols = (n: number, prefix = "S") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("the universe as SSM parameter values", () => {
  it("is one part when it fits, even when empty", () => {
    expect(encodeUniverse({ symbols: [], deny: [] })).toHaveLength(1);
    expect(decodeUniverse(encodeUniverse({ symbols: [], deny: [] }))).toEqual({ symbols: [], deny: [] });
    expect(encodeUniverse({ symbols: ["AAPL"], deny: ["TEST"] })).toHaveLength(1);
  });

  it("splits into parts no larger than asked, and joins back in order", () => {
    const universe = { symbols: symbols(700), deny: symbols(90, "D") };

    const parts = encodeUniverse(universe, 512);

    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(512);
    expect(decodeUniverse(parts)).toEqual(universe);
    expect(decodeUniverse([...parts].reverse())).toEqual(universe);
  });

  it("refuses a universe with a part missing or from another version", () => {
    const parts = encodeUniverse({ symbols: symbols(300), deny: [] }, 512);
    const other = encodeUniverse({ symbols: symbols(100), deny: [] }, 512);

    expect(() => decodeUniverse(parts.slice(1))).toThrow(ConfigError);
    expect(() => decodeUniverse([...parts.slice(1), other[0] as string])).toThrow(/incomplete/);
    expect(() => decodeUniverse([])).toThrow(/missing/);
    expect(() => decodeUniverse(["AAPL,MSFT"])).toThrow(/not JSON/);
  });
});
