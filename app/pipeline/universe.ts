import { UserFacingError } from "../domain/errors.ts";
import type { Datalake } from "../domain/ports.ts";
import { parseSymbol } from "../domain/symbol.ts";

/** The universe came out empty: nothing to check, which is a configuration problem rather than a quiet pass. */
export class EmptyUniverseError extends UserFacingError {
  override name = "EmptyUniverseError";
  readonly sources: string;
  constructor(sources: string, denied: number) {
    super(
      `the universe is empty (from ${sources}${denied > 0 ? `, ${denied} denied` : ""}): set symbols or point the datalake at series`,
    );
    this.sources = sources;
  }
}

export interface UniverseOptions {
  /** Symbols named by the operator; each is trimmed, upper-cased and validated. @default [] */
  explicit?: readonly string[];
  /** The datalake whose listing is used when `useListing` is on. */
  datalake?: Datalake;
  /** Add every symbol the datalake lists. @default true when no explicit list is given, else false */
  useListing?: boolean;
  /** Symbols left out whatever the source. @default [] */
  deny?: readonly string[];
}

/**
 * The symbols of one session: the explicit list, the datalake's listing, or both, minus the deny-list; sorted and
 * de-duplicated. Throws InvalidSymbolError for a bad explicit or denied symbol, EmptyUniverseError when nothing is left.
 */
export async function resolveUniverse(options: UniverseOptions): Promise<string[]> {
  const explicit = (options.explicit ?? []).map(parseSymbol);
  const deny = new Set((options.deny ?? []).map(parseSymbol));
  const useListing = options.useListing ?? explicit.length === 0;
  if (useListing && !options.datalake) throw new TypeError("resolveUniverse: useListing needs a datalake");
  const listed = useListing && options.datalake ? await options.datalake.listSymbols() : [];

  const candidates = new Set([...explicit, ...listed]);
  const symbols = [...candidates].filter((symbol) => !deny.has(symbol)).sort();
  if (symbols.length === 0) {
    const sources = [
      ...(explicit.length > 0 || !useListing ? ["the explicit list"] : []),
      ...(useListing ? ["the datalake listing"] : []),
    ].join(" and ");
    throw new EmptyUniverseError(sources, candidates.size);
  }
  return symbols;
}
