import { UserFacingError } from "../../domain/errors.ts";

/** The datalake URI template or its options cannot be used. Raised once, at start-up, never per symbol. */
export class DatalakeConfigError extends UserFacingError {
  override name = "DatalakeConfigError";
  readonly uriTemplate: string;
  constructor(uriTemplate: string, reason: string, options?: ErrorOptions) {
    super(`datalake ${JSON.stringify(uriTemplate)}: ${reason}`, options);
    this.uriTemplate = uriTemplate;
  }
}

/**
 * A symbol's series exists but cannot be read: unreadable, truncated, wrongly typed or non-numeric prices.
 * The caller turns it into that symbol's `error` result; it is never a data finding.
 */
export class DatalakeReadError extends Error {
  override name = "DatalakeReadError";
  readonly symbol: string;
  readonly uri: string;
  constructor(symbol: string, uri: string, reason: string, options?: ErrorOptions) {
    super(`cannot read ${symbol} from ${uri}: ${oneLine(reason)}`, options);
    this.symbol = symbol;
    this.uri = uri;
  }
}

/** The datalake cannot be listed (missing directory or bucket, access denied). */
export class DatalakeListError extends Error {
  override name = "DatalakeListError";
  readonly uri: string;
  constructor(uri: string, reason: string, options?: ErrorOptions) {
    super(`cannot list ${uri}: ${oneLine(reason)}`, options);
    this.uri = uri;
  }
}

/** A series whose content does not fit the expected shape; the readers wrap it in DatalakeReadError. */
export class BarFormatError extends Error {
  override name = "BarFormatError";
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat;
}
