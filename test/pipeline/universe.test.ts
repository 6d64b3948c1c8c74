import { describe, expect, it } from "vitest";
import type { Datalake } from "../../app/domain/ports.ts";
import { InvalidSymbolError } from "../../app/domain/symbol.ts";
import { EmptyUniverseError, resolveUniverse } from "../../app/pipeline/universe.ts";

/** A datalake that holds the given symbols and nothing else. */
function datalakeListing(symbols: string[]): Datalake {
  return {
    readBars: async () => [],
    listSymbols: async () => [...symbols].sort(),
    describe: (symbol) => `memory://${symbol}`,
  };
}

describe("resolveUniverse", () => {
  it("normalizes, de-duplicates and sorts an explicit list", async () => {
    const symbols = await resolveUniverse({ explicit: [" msft", "AAPL", "aapl", "BRK/B"] });

    expect(symbols).toEqual(["AAPL", "BRK/B", "MSFT"]);
  });

  it("uses the datalake's listing when no explicit list is given", async () => {
    const symbols = await resolveUniverse({ datalake: datalakeListing(["MSFT", "AAPL"]) });

    expect(symbols).toEqual(["AAPL", "MSFT"]);
  });

  it("ignores the listing when an explicit list is given and listing is not asked for", async () => {
    const symbols = await resolveUniverse({ explicit: ["IBM"], datalake: datalakeListing(["MSFT"]) });

    expect(symbols).toEqual(["IBM"]);
  });

  it("takes the union of the explicit list and the listing when both are asked for", async () => {
    const symbols = await resolveUniverse({
      explicit: ["IBM", "AAPL"],
      datalake: datalakeListing(["MSFT", "AAPL"]),
      useListing: true,
    });

    expect(symbols).toEqual(["AAPL", "IBM", "MSFT"]);
  });

  it("leaves out denied symbols, whatever their source", async () => {
    const symbols = await resolveUniverse({
      explicit: ["IBM"],
      datalake: datalakeListing(["MSFT", "AAPL"]),
      useListing: true,
      deny: ["msft", "IBM"],
    });

    expect(symbols).toEqual(["AAPL"]);
  });

  it("rejects an invalid explicit symbol", async () => {
    await expect(resolveUniverse({ explicit: ["AAPL", "../etc/passwd"] })).rejects.toThrow(InvalidSymbolError);
  });

  it("throws EmptyUniverseError when the deny-list removes everything", async () => {
    const resolving = resolveUniverse({ explicit: ["AAPL"], deny: ["AAPL"] });

    await expect(resolving).rejects.toThrow(EmptyUniverseError);
    await expect(resolving).rejects.toThrow("the universe is empty (from the explicit list, 1 denied)");
  });

  it("throws EmptyUniverseError for an empty listing", async () => {
    await expect(resolveUniverse({ datalake: datalakeListing([]) })).rejects.toThrow(
      "the universe is empty (from the datalake listing)",
    );
  });

  it("throws EmptyUniverseError when there is no source at all", async () => {
    await expect(resolveUniverse({ useListing: false })).rejects.toThrow(EmptyUniverseError);
  });
});
