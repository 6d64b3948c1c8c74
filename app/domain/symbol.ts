import { UserFacingError } from "./errors.ts";

/**
 * Symbols are validated before they touch a path, a key or a URL. The pattern admits the tickers
 * providers use (BRK.B, BF-B, RDS/A as a class share, EUR/USD, ^GSPC-like indices are excluded on purpose)
 * and rejects anything that could escape a path or a query: no `..`, no backslash, no whitespace, no `%`.
 */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9.\-/:]{0,23}$/;

/** A symbol that does not match SYMBOL_PATTERN; the message shows the pattern in words. */
export class InvalidSymbolError extends UserFacingError {
  override name = "InvalidSymbolError";
  readonly symbol: string;
  constructor(symbol: string) {
    super(
      `invalid symbol ${JSON.stringify(symbol.slice(0, 40))}: expected 1-24 characters of A-Z, 0-9, '.', '-', '/', ':' starting with a letter or digit`,
    );
    this.symbol = symbol;
  }
}

export function isValidSymbol(symbol: string): boolean {
  return SYMBOL_PATTERN.test(symbol) && !symbol.includes("..") && !symbol.includes("//");
}

/** Upper-cases and trims, then validates; throws InvalidSymbolError. */
export function parseSymbol(raw: string): string {
  const symbol = raw.trim().toUpperCase();
  if (!isValidSymbol(symbol)) throw new InvalidSymbolError(raw);
  return symbol;
}

/**
 * A symbol as one path segment or object-key segment: `/` and `:` (legal in tickers, not in a file name)
 * are percent-escaped. `.` stays (BRK.B.csv is unambiguous because `..` is rejected).
 */
export function symbolToPathSegment(symbol: string): string {
  if (!isValidSymbol(symbol)) throw new InvalidSymbolError(symbol);
  return symbol.replaceAll("/", "%2F").replaceAll(":", "%3A");
}

export function symbolFromPathSegment(segment: string): string | undefined {
  const symbol = segment.replaceAll("%2F", "/").replaceAll("%3A", ":").toUpperCase();
  return isValidSymbol(symbol) ? symbol : undefined;
}
