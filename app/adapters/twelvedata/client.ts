import type Bottleneck from "bottleneck";
import { ConfigError, isLoopbackUrl, type ProviderConfig } from "../../config/config.ts";
import { ISO_DATE } from "../../domain/bar.ts";
import { type Clock, systemClock } from "../../domain/clock.ts";
import type { DailyRange, KeyUsage, ReferenceOutcome, ReferenceProvider } from "../../domain/ports.ts";
import { isValidSymbol } from "../../domain/symbol.ts";
import { type Answer, readAnswer } from "./answer.ts";
import { CreditPacer, createCreditLimiter } from "./credit-pacer.ts";
import {
  ProviderAuthError,
  ProviderRequestError,
  ProviderUnavailableError,
  RateLimitError,
  TwelveDataUsageError,
} from "./errors.ts";

export interface TwelveDataClientOptions {
  /** e.g. https://api.twelvedata.com, or an emulator's URL. */
  baseUrl: string;
  apiKey: string;
  /** Where the key travels. The header keeps it out of every URL. @default "header" */
  authIn?: "header" | "query";
  /** Credits the client may spend per window; also the most symbols one request may carry. */
  creditsPerWindow: number;
  windowSeconds: number;
  /** Per HTTP attempt, body included. @default 15000 */
  timeoutMs?: number;
  /** Attempts for 5xx, network errors, timeouts and unreadable answers. @default 3 */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. @default 500 */
  backoffBaseMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Share one limiter between clients of one account; make it with createCreditLimiter (a reservoir, no refresh
   * interval, no maxConcurrent below the largest request's weight). @default a new one
   */
  limiter?: Bottleneck;
  /** Used to tell how long a day's cap lasts (until 00:00 UTC). @default Date.now */
  clock?: Clock;
  /**
   * How long after a request leaves the provider has counted it, at the latest: the pacer gives its credits back a
   * window after that. @default the pipeline's share of the slot margin (credit-pacer.ts countedWithinMs)
   */
  countedWithinMs?: number;
  /**
   * Whether an answer saying no credit is left (`api-credits-left: 0`) holds every later request of this client a
   * window after it left. A client that is the only guard of its requests needs it (`dq check`, `dq profile`). The
   * pipeline's processors do not: the spend gate all of them share spaces every dq request credit by credit, and
   * keeps what another consumer takes free (a 429 teaches it). There the header only says that a slot of a full
   * plan filled its window exactly, and a pause would hold the next slot's batch the same warm container serves by
   * the whole spread of the slot before (10,000 at 610: grants up to 2 s after their slot, 1.028 windows a slot).
   * @default true
   */
  pauseWhenSpent?: boolean;
  /**
   * The datalake's adjustment convention, sent as `adjust`: `none` (raw prices), `splits` (the provider's default)
   * or `all` (splits and dividends: total return). @default "splits" (the parameter is not sent)
   */
  adjust?: AdjustConvention;
}

export const AdjustConvention = { none: "none", splits: "splits", all: "all" } as const;
export type AdjustConvention = (typeof AdjustConvention)[keyof typeof AdjustConvention];

/** Bars per symbol asked for: the provider's maximum, so a deep check's year comes back in one request. */
const OUTPUT_SIZE = "5000";

/** The provider's own spelling of a spent day; anything else at 429 is the per-minute cap. */
const DAY_LIMIT = /for the day/i;
/** "… 9 API credits were used, with the current limit being 8 …", in both the minute's and the day's 429. */
const CREDITS_USED = /(\d+) API credits were used, with the current limit being (\d+)/i;

/** A failure worth another attempt. Internal: callers see ProviderUnavailableError once attempts run out. */
class RetryableFailure extends Error {
  override name = "RetryableFailure";
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
  }
}

interface RawAnswer {
  status: number;
  contentType: string;
  text: string;
  /** api-credits-used / api-credits-left, when the provider sent both. */
  credits?: { used: number; left: number };
}

/**
 * Twelve Data's daily time series as a ReferenceProvider: one multi-symbol GET /time_series per call, paced by
 * credits, retried on transient failures, read symbol by symbol so one bad symbol never fails its neighbours.
 */
export class TwelveDataClient implements ReferenceProvider {
  readonly #endpoint: URL;
  readonly #apiKey: string;
  readonly #authIn: "header" | "query";
  readonly #windowMs: number;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffBaseMs: number;
  readonly #fetch: typeof fetch;
  readonly #pacer: CreditPacer;
  readonly #clock: Clock;
  readonly #adjust: AdjustConvention | undefined;
  readonly #pauseWhenSpent: boolean;

  constructor(options: TwelveDataClientOptions) {
    if (!Number.isInteger(options.creditsPerWindow) || options.creditsPerWindow < 1)
      throw new TwelveDataUsageError(`creditsPerWindow must be a positive integer, got ${options.creditsPerWindow}`);
    if (!(options.windowSeconds > 0))
      throw new TwelveDataUsageError(`windowSeconds must be positive, got ${options.windowSeconds}`);
    const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;
    this.#endpoint = new URL("time_series", base);
    this.#apiKey = options.apiKey;
    this.#authIn = options.authIn ?? "header";
    this.#windowMs = options.windowSeconds * 1000;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? systemClock;
    if (options.adjust !== undefined && !(options.adjust in AdjustConvention))
      throw new TwelveDataUsageError(`adjust must be none, splits or all, got ${JSON.stringify(options.adjust)}`);
    this.#adjust = options.adjust;
    this.#pauseWhenSpent = options.pauseWhenSpent ?? true;
    const limiter = options.limiter ?? createCreditLimiter(options.creditsPerWindow);
    this.#pacer = new CreditPacer(limiter, options.creditsPerWindow, this.#windowMs, options.countedWithinMs);
  }

  /** From the validated provider config. An empty key is allowed only for an emulator on loopback ("demo"). */
  static fromConfig(
    config: ProviderConfig,
    extra: Pick<
      TwelveDataClientOptions,
      "authIn" | "backoffBaseMs" | "fetch" | "limiter" | "clock" | "adjust" | "countedWithinMs" | "pauseWhenSpent"
    > = {},
  ): TwelveDataClient {
    let apiKey = config.apiKey;
    if (apiKey === "") {
      if (!isLoopbackUrl(config.baseUrl))
        throw new ConfigError(`provider apiKey is empty: a key is required for ${config.baseUrl}`);
      apiKey = "demo";
    }
    return new TwelveDataClient({
      ...extra,
      baseUrl: config.baseUrl,
      apiKey,
      creditsPerWindow: config.creditsPerMinute,
      windowSeconds: config.creditWindowSeconds,
      timeoutMs: config.timeoutMs,
      maxAttempts: config.maxAttempts,
    });
  }

  async dailyBars(
    symbols: readonly string[],
    range: DailyRange,
    observe?: (usage: KeyUsage) => void,
    sent?: () => void,
  ): Promise<Map<string, ReferenceOutcome>> {
    const wanted = [...new Set(symbols)];
    this.#validate(wanted, range);
    if (wanted.length === 0) return new Map();
    const url = this.#url(wanted, range);

    let last: RetryableFailure | undefined;
    let heard = false;
    const hear = (usage: KeyUsage) => {
      heard = true;
      observe?.(usage);
    };
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (attempt > 1) await sleep(this.#backoff(attempt - 1));
      try {
        const raw = await this.#pacer.run(wanted.length, () => {
          sent?.();
          return this.#send(url);
        });
        return this.#interpret(raw, wanted, range, attempt, hear);
      } catch (error) {
        // Refused for the window without a word of what it holds: /api_usage (free) says.
        if (error instanceof RateLimitError && error.scope === "minute" && observe && !heard)
          await this.#askUsage(wanted.length, observe);
        if (!(error instanceof RetryableFailure)) throw error;
        last = error;
      }
    }
    throw new ProviderUnavailableError(
      `Twelve Data unavailable after ${this.#maxAttempts} attempts for ${wanted.length} symbol(s): ${last?.message}`,
      { status: last?.status, attempts: this.#maxAttempts, cause: last },
    );
  }

  #validate(symbols: readonly string[], range: DailyRange): void {
    const invalid = symbols.filter((s) => !isValidSymbol(s));
    if (invalid.length > 0)
      throw new TwelveDataUsageError(
        `invalid symbol(s): ${invalid.map((s) => JSON.stringify(s.slice(0, 40))).join(", ")}`,
      );
    if (symbols.length > this.#pacer.creditsPerWindow)
      throw new TwelveDataUsageError(
        `a request for ${symbols.length} symbols costs ${symbols.length} credits, more than the ${this.#pacer.creditsPerWindow} per window: split it into batches`,
      );
    if (!ISO_DATE.test(range.startDate) || !ISO_DATE.test(range.endDate) || range.startDate > range.endDate)
      throw new TwelveDataUsageError(
        `invalid range ${range.startDate}..${range.endDate}: expected YYYY-MM-DD, start <= end`,
      );
  }

  /** end_date is exclusive for daily bars on the provider's side: ask for the day after the last one wanted. */
  #url(symbols: readonly string[], range: DailyRange): URL {
    const url = new URL(this.#endpoint);
    url.search = new URLSearchParams({
      symbol: symbols.join(","),
      interval: "1day",
      start_date: range.startDate,
      end_date: nextDay(range.endDate),
      order: "asc",
      outputsize: OUTPUT_SIZE,
      format: "JSON",
      // Sent whenever the profile names a convention, so a change of the provider's default cannot change the data.
      ...(this.#adjust !== undefined ? { adjust: this.#adjust } : {}),
    }).toString();
    if (this.#authIn === "query") url.searchParams.set("apikey", this.#apiKey);
    return url;
  }

  async #send(url: URL): Promise<RawAnswer> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#authIn === "header") headers.authorization = `apikey ${this.#apiKey}`;
    const sentAt = performance.now();
    try {
      const response = await this.#fetch(url, { headers, signal: AbortSignal.timeout(this.#timeoutMs) });
      // The window was full when the provider counted this request, within moments of its leaving: that is when
      // its credits start to come back, however long the answer took.
      if (this.#pauseWhenSpent && response.headers.get("api-credits-left")?.trim() === "0")
        this.#pacer.pauseForWindow(sentAt);
      const text = await response.text();
      const used = count(response.headers.get("api-credits-used"));
      const left = count(response.headers.get("api-credits-left"));
      return {
        status: response.status,
        contentType: response.headers.get("content-type") ?? "",
        text,
        ...(used !== undefined && left !== undefined ? { credits: { used, left } } : {}),
      };
    } catch (error) {
      throw new RetryableFailure(describeNetworkError(error, this.#timeoutMs), undefined, error);
    }
  }

  /** The body decides, whatever the HTTP status: the provider answers errors both ways. */
  #interpret(
    raw: RawAnswer,
    symbols: readonly string[],
    range: DailyRange,
    attempts: number,
    observe: ((usage: KeyUsage) => void) | undefined,
  ): Map<string, ReferenceOutcome> {
    let body: unknown;
    try {
      body = JSON.parse(raw.text);
    } catch (error) {
      const what = `HTTP ${raw.status} with a non-JSON body (${raw.contentType || "no content type"}, ${raw.text.length} bytes)`;
      if (raw.status >= 500 || raw.status < 300) throw new RetryableFailure(what, raw.status, error);
      return this.#fail(raw.status, what, attempts);
    }
    const answer = readAnswer(body, symbols, range);
    const usage = usageOf(raw, answer, symbols.length);
    if (usage !== undefined) observe?.(usage);
    if (answer.kind === "outcomes") return answer.outcomes;
    if (answer.kind === "unreadable") throw new RetryableFailure(`HTTP ${raw.status}: ${answer.reason}`, raw.status);
    if (answer.code >= 500) throw new RetryableFailure(`provider error ${answer.code}: ${answer.message}`, answer.code);
    return this.#fail(answer.code, answer.message, attempts);
  }

  #fail(code: number, message: string, attempts: number): never {
    if (code === 429) {
      this.#pacer.pauseForWindow();
      const day = DAY_LIMIT.test(message);
      const credits = CREDITS_USED.exec(message);
      throw new RateLimitError(`Twelve Data rate limit (${day ? "day" : "minute"}): ${message}`, {
        scope: day ? "day" : "minute",
        retryAfterMs: day ? msUntilNextUtcDay(this.#clock()) : this.#windowMs,
        ...(credits ? { creditsUsed: Number(credits[1]), creditsLimit: Number(credits[2]) } : {}),
        status: code,
        attempts,
      });
    }
    if (code === 401 || code === 403)
      throw new ProviderAuthError(`Twelve Data refused the API key (${code}): ${message}`, { status: code, attempts });
    throw new ProviderRequestError(`Twelve Data rejected the request (${code}): ${message}`, {
      status: code,
      attempts,
    });
  }

  /** GET /api_usage, which costs no credit: the window's use now. Best effort: a failure says nothing. */
  async #askUsage(requested: number, observe: (usage: KeyUsage) => void): Promise<void> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#authIn === "header") headers.authorization = `apikey ${this.#apiKey}`;
    const url = new URL("api_usage", this.#endpoint);
    if (this.#authIn === "query") url.searchParams.set("apikey", this.#apiKey);
    try {
      const response = await this.#fetch(url, { headers, signal: AbortSignal.timeout(this.#timeoutMs) });
      const body = (await response.json()) as { current_usage?: unknown; plan_limit?: unknown };
      const used = Number(body.current_usage);
      const limit = Number(body.plan_limit);
      if (!Number.isInteger(used) || !Number.isInteger(limit) || used < 0 || limit < 1) return;
      observe({ others: used, limit, overflow: Math.max(1, requested - (limit - used)) });
    } catch {
      // Nothing learnt: the refusal itself still re-queues the request.
    }
  }

  /** Exponential with "equal jitter": half the delay fixed, half random, so retrying clients spread out. */
  #backoff(retry: number): number {
    const delay = this.#backoffBaseMs * 2 ** (retry - 1);
    return delay / 2 + Math.random() * (delay / 2);
  }
}

/**
 * What the answer says of the key's window beside this request: the credit headers when both came (they count the
 * window after the request, so what was charged is taken off), else the numbers of a 429 (which count the request
 * too, charged or not). Undefined when it says nothing.
 */
function usageOf(raw: RawAnswer, answer: Answer, requested: number): KeyUsage | undefined {
  // Only an answer (whole or in part) or the window's own 429 speaks of the window; an outage or the day's 429 not.
  if (answer.kind === "unreadable") return undefined;
  if (answer.kind === "error" && (answer.code !== 429 || DAY_LIMIT.test(answer.message))) return undefined;
  const refusals =
    answer.kind === "outcomes"
      ? [...answer.outcomes.values()].flatMap((o) => (!o.ok && o.code === 429 ? [o.message] : []))
      : Array.from({ length: requested }, () => answer.message);
  const charged = requested - refusals.length;
  if (raw.credits !== undefined) {
    const { used, left } = raw.credits;
    // A refused request is charged nothing: it went past the limit by what it asked beyond what was left.
    const overflow = answer.kind === "error" ? Math.max(1, requested - left) : refusals.length;
    return { others: Math.max(0, used - charged), limit: used + left, overflow };
  }
  const numbers = refusals[0] === undefined ? null : CREDITS_USED.exec(refusals[0]);
  if (!numbers) return undefined;
  const used = Number(numbers[1]);
  const limit = Number(numbers[2]);
  const overflow = answer.kind === "error" ? Math.max(1, used - limit) : refusals.length;
  return { others: Math.max(0, used - requested), limit, overflow };
}

function count(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header);
}

function nextDay(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

function msUntilNextUtcDay(now: number): number {
  const day = new Date(now);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1) - now;
}

/** Names the failure without the URL, which may carry the key. */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `network error${error instanceof Error ? ` (${error.message}${cause})` : ""}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
