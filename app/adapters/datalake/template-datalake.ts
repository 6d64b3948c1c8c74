import type { Bar } from "../../domain/bar.ts";
import type { Datalake } from "../../domain/ports.ts";
import { InvalidSymbolError, isValidSymbol, symbolFromPathSegment, symbolToPathSegment } from "../../domain/symbol.ts";
import { type ColumnNames, type ColumnSpec, columnSpec } from "./columns.ts";
import { parseCsvBars } from "./csv-bars.ts";
import { type DatalakeTemplate, expandTemplate } from "./datalake-template.ts";
import { BarFormatError, DatalakeReadError } from "./errors.ts";
import { type ParquetReadOptions, readParquetBars } from "./parquet-bars.ts";
import type { SeriesStore } from "./series-store.ts";
import { SymbolAliases } from "./symbol-aliases.ts";
import type { InstantRule } from "./values.ts";

export interface TemplateDatalakeOptions {
  template: DatalakeTemplate;
  store: SeriesStore;
  /** @default date|timestamp|datetime, open, high, low, close, volume */
  columns?: Partial<ColumnNames>;
  /** Provider symbol -> datalake symbol. @default {} */
  aliases?: Record<string, string>;
  parquet?: ParquetReadOptions;
  /** How bare instants are dated (see InstantRule). @default "auto" */
  instants?: InstantRule;
}

/** A listing, with the names it could not map to a symbol. */
export interface DatalakeListing {
  symbols: string[];
  /** Entries that fit the template but are not a canonical symbol's name (`aapl.csv`, `BRK B.csv`). */
  skipped: string[];
}

/**
 * A datalake with one series per symbol at a URI template. Symbols are provider symbols: mapped through the
 * aliases, validated and escaped before they reach a path or key.
 */
export class TemplateDatalake implements Datalake {
  readonly #template: DatalakeTemplate;
  readonly #store: SeriesStore;
  readonly #columns: ColumnSpec;
  readonly #aliases: SymbolAliases;
  readonly #parquet: ParquetReadOptions;
  readonly #instants: InstantRule | undefined;

  constructor(options: TemplateDatalakeOptions) {
    this.#template = options.template;
    this.#store = options.store;
    this.#columns = columnSpec(options.columns);
    this.#aliases = new SymbolAliases(options.aliases ?? {}, options.template.template);
    this.#instants = options.instants;
    this.#parquet = { ...options.parquet, instants: options.instants };
  }

  /** Throws InvalidSymbolError before any I/O for a symbol that could escape its path; DatalakeReadError else. */
  async readBars(symbol: string): Promise<Bar[]> {
    if (!isValidSymbol(symbol)) throw new InvalidSymbolError(symbol);
    const segment = symbolToPathSegment(this.#aliases.toDatalake(symbol));
    const uri = this.describe(symbol);
    try {
      const file = await this.#store.open(segment);
      if (file === undefined) return [];
      if (this.#template.format === "csv") {
        const bytes = await file.slice(0, file.byteLength);
        return parseCsvBars(new TextDecoder("utf-8", { fatal: true }).decode(bytes), this.#columns, {
          instants: this.#instants,
        });
      }
      return await readParquetBars(file, this.#columns, this.#parquet);
    } catch (error) {
      throw new DatalakeReadError(symbol, uri, reasonOf(error), { cause: error });
    }
  }

  async listSymbols(): Promise<string[]> {
    return (await this.listing()).symbols;
  }

  /** The listing, and what it skipped: `dq profile check` shows the skipped names instead of dropping them silently. */
  async listing(): Promise<DatalakeListing> {
    const symbols = new Set<string>();
    const skipped: string[] = [];
    for (const segment of await this.#store.listSegments()) {
      const stored = symbolFromPathSegment(segment);
      // Only canonical names: `aapl.csv` or `RDS%2fA` would list a symbol that readBars then cannot find.
      if (stored === undefined || symbolToPathSegment(stored) !== segment) {
        skipped.push(segment);
        continue;
      }
      symbols.add(this.#aliases.toProvider(stored));
    }
    return { symbols: [...symbols].sort(), skipped: skipped.sort() };
  }

  describe(symbol: string): string {
    if (!isValidSymbol(symbol)) return this.#template.template;
    return expandTemplate(this.#template, this.#aliases.toDatalake(symbol));
  }
}

/** SDK errors carry their meaning in the name (AccessDenied, SlowDown); format errors in the message alone. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === "Error" || error instanceof BarFormatError ? error.message : `${error.name}: ${error.message}`;
}
