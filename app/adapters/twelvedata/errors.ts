import {
  ProviderError,
  type ProviderErrorOptions,
  ProviderRateLimited,
  type ProviderRateLimitedOptions,
  ProviderRefused,
  ProviderUnavailable,
  type RateLimitScope,
} from "../../domain/provider-errors.ts";

/**
 * Twelve Data's failures, each a member of the domain's provider error family (domain/provider-errors.ts), so the
 * pipeline sees only the family. Messages never carry the API key.
 */
export const TWELVE_DATA = "Twelve Data";

type TwelveDataErrorOptions = Omit<ProviderErrorOptions, "provider">;

/** The provider refused for lack of credits (429). Twelve Data always says which limit, so scope is known. */
export class RateLimitError extends ProviderRateLimited {
  override name = "RateLimitError";
  declare readonly scope: RateLimitScope;
  declare readonly retryAfterMs: number;

  constructor(
    message: string,
    options: Omit<ProviderRateLimitedOptions, "provider"> & { scope: RateLimitScope; retryAfterMs: number },
  ) {
    super(message, { ...options, provider: TWELVE_DATA });
  }
}

/** The API key is missing, wrong or not allowed this data (401, 403). Retrying cannot help. */
export class ProviderAuthError extends ProviderRefused {
  override name = "ProviderAuthError";

  constructor(message: string, options: TwelveDataErrorOptions) {
    super(message, { ...options, provider: TWELVE_DATA });
  }
}

/** The provider rejected the request as a whole (400, 404, 414, ...). Retrying the same request cannot help. */
export class ProviderRequestError extends ProviderError {
  override name = "ProviderRequestError";

  constructor(message: string, options: TwelveDataErrorOptions) {
    super(message, { ...options, provider: TWELVE_DATA });
  }
}

/** 5xx, network failures, timeouts or unreadable answers, still failing after every attempt. */
export class ProviderUnavailableError extends ProviderUnavailable {
  override name = "ProviderUnavailableError";

  constructor(message: string, options: TwelveDataErrorOptions) {
    super(message, { ...options, provider: TWELVE_DATA });
  }
}

/** A call the client refuses before sending: a programming or configuration error in the caller. */
export class TwelveDataUsageError extends ProviderError {
  override name = "TwelveDataUsageError";

  constructor(message: string) {
    super(message, { provider: TWELVE_DATA, attempts: 0 });
  }
}
