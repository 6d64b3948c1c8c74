/**
 * The error contract of the ReferenceProvider port (ports.ts). A provider adapter throws these (or subclasses) for a
 * failure of a request as a whole; callers branch on the class with `instanceof`, never on a provider's status codes
 * or class names. A failure of one symbol is not an error: it is that symbol's ReferenceOutcome.
 */

export interface ProviderErrorOptions {
  /** Which provider failed, for operators (e.g. "Twelve Data"). */
  provider: string;
  /** The provider's error code (from the body when it has one, else the HTTP status); undefined when none came back. */
  status?: number | undefined;
  /** HTTP attempts made before giving up (0: nothing was sent). */
  attempts: number;
  cause?: unknown;
}

/** A provider request failed as a whole: nothing in the answer is usable. Never a data failure. */
export class ProviderError extends Error {
  override name = "ProviderError";
  readonly provider: string;
  readonly status: number | undefined;
  readonly attempts: number;

  constructor(message: string, options: ProviderErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.provider = options.provider;
    this.status = options.status;
    this.attempts = options.attempts;
  }
}

/** Which of the plan's limits a rate limit hit. */
export const RateLimitScope = { minute: "minute", day: "day" } as const;
export type RateLimitScope = (typeof RateLimitScope)[keyof typeof RateLimitScope];

export interface ProviderRateLimitedOptions extends ProviderErrorOptions {
  /** The limit hit, when the provider said. */
  scope?: RateLimitScope | undefined;
  /** Credits the provider counted against that limit, when it said. */
  creditsUsed?: number | undefined;
  /** The limit itself, when the provider said. */
  creditsLimit?: number | undefined;
  /** How long until credits are back (a window for the minute limit, until the day's reset for the day), when known. */
  retryAfterMs?: number | undefined;
}

/** The provider refused for lack of credits. The request can be made again later; the credits are wasted. */
export class ProviderRateLimited extends ProviderError {
  override name = "ProviderRateLimited";
  readonly scope: RateLimitScope | undefined;
  readonly creditsUsed: number | undefined;
  readonly creditsLimit: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ProviderRateLimitedOptions) {
    super(message, options);
    this.scope = options.scope;
    this.creditsUsed = options.creditsUsed;
    this.creditsLimit = options.creditsLimit;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** An outage: 5xx, network failures, timeouts, HTML or malformed answers, still failing after every attempt. */
export class ProviderUnavailable extends ProviderError {
  override name = "ProviderUnavailable";
}

/** The provider refused the key or the plan (401, 403): retrying cannot help until the key or plan changes. */
export class ProviderRefused extends ProviderError {
  override name = "ProviderRefused";
}
