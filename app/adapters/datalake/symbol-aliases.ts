import { isValidSymbol } from "../../domain/symbol.ts";
import { DatalakeConfigError } from "./errors.ts";

/**
 * Where the datalake names an instrument differently from the provider (BRK.B against BRK/B): provider symbol
 * to datalake symbol for reads, and back for listings. Checked once, when the datalake is created.
 */
export class SymbolAliases {
  readonly #toDatalake = new Map<string, string>();
  readonly #toProvider = new Map<string, string>();

  constructor(aliases: Record<string, string>, uriTemplate: string) {
    for (const [provider, stored] of Object.entries(aliases)) {
      for (const symbol of [provider, stored]) {
        if (!isValidSymbol(symbol)) {
          throw new DatalakeConfigError(
            uriTemplate,
            `alias ${provider}=${stored}: ${JSON.stringify(symbol)} is not a valid symbol`,
          );
        }
      }
      const earlier = this.#toProvider.get(stored);
      if (earlier !== undefined) {
        throw new DatalakeConfigError(
          uriTemplate,
          `aliases ${earlier} and ${provider} both name datalake symbol ${stored}`,
        );
      }
      this.#toDatalake.set(provider, stored);
      this.#toProvider.set(stored, provider);
    }
  }

  /** The datalake's name for a provider symbol. */
  toDatalake(providerSymbol: string): string {
    return this.#toDatalake.get(providerSymbol) ?? providerSymbol;
  }

  /** The provider's name for a datalake symbol. */
  toProvider(datalakeSymbol: string): string {
    return this.#toProvider.get(datalakeSymbol) ?? datalakeSymbol;
  }
}
