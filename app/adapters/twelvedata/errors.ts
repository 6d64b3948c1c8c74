/** Every failure of the Twelve Data client. Messages never carry the API key. */
export class TwelveDataError extends Error {
  override name = "TwelveDataError";
  /** The provider's error code (from the body when it has one, else the HTTP status); undefined when none came back. */
  readonly status: number | undefined;
  /** HTTP attempts made before giving up (0: nothing was sent). */
  readonly attempts: number;

  constructor(message: string, options: { status?: number | undefined; attempts: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.attempts = options.attempts;
  }
}

export const RateLimitScope = { minute: "minute", day: "day" } as const;
export type RateLimitScope = (typeof RateLimitScope)[keyof typeof RateLimitScope];

/** The provider refused for lack of credits. Nothing in the answer is usable; never a data failure. */
export class RateLimitError extends TwelveDataError {
  override name = "RateLimitError";
  readonly scope: RateLimitScope;
  /** How long until credits are back: a full window for "minute", until 00:00 UTC for "day". */
  readonly retryAfterMs: number;

  constructor(
    message: string,
    options: { scope: RateLimitScope; retryAfterMs: number; status?: number; attempts: number; cause?: unknown },
  ) {
    super(message, options);
    this.scope = options.scope;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The API key is missing, wrong or not allowed this data (401, 403). Retrying cannot help. */
export class ProviderAuthError extends TwelveDataError {
  override name = "ProviderAuthError";
}

/** The provider rejected the request as a whole (400, 404, 414, ...). Retrying the same request cannot help. */
export class ProviderRequestError extends TwelveDataError {
  override name = "ProviderRequestError";
}

/** 5xx, network failures, timeouts or unreadable answers, still failing after every attempt. */
export class ProviderUnavailableError extends TwelveDataError {
  override name = "ProviderUnavailableError";
}

/** A call the client refuses before sending: a programming or configuration error in the caller. */
export class TwelveDataUsageError extends TwelveDataError {
  override name = "TwelveDataUsageError";

  constructor(message: string) {
    super(message, { attempts: 0 });
  }
}
