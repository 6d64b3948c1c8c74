import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../app/domain/clock.ts";
import type { MarketData } from "../market/types.ts";
import { CreditMeter, WindowMode } from "./credit-meter.ts";
import { type FailNext, type FaultKind, FaultPlan, type Faults, type PlannedFault } from "./faults.ts";
import { type AnsweredRequest, type LatencyProfile, latencyModel } from "./latency.ts";
import {
  BAD_API_KEY_MESSAGE,
  DATA_NOT_FOUND_MESSAGE,
  dayLimitMessage,
  type ErrorBody,
  endpointNotFoundMessage,
  errorBody,
  GATEWAY_HTML,
  minuteLimitMessage,
  SERVER_ERROR_MESSAGE,
} from "./messages.ts";
import { OtherConsumer, type OtherConsumerPlan } from "./other-consumer.ts";
import { answerSymbol, parseTimeSeriesQuery, type SeriesAnswer, type TimeSeriesQuery } from "./time-series.ts";

/** How errors travel: as real HTTP statuses, or as 200 with the error in the body (the provider does both). */
export const ErrorStyle = { status: "status", body200: "body200" } as const;
export type ErrorStyle = (typeof ErrorStyle)[keyof typeof ErrorStyle];

export interface TwelveDataEmulatorOptions {
  market: MarketData;
  /** @default 0 (the OS picks) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default ["demo"] */
  apiKeys?: readonly string[];
  /** @default 8 */
  creditsPerMinute?: number;
  /** null: no daily cap. @default 800 */
  creditsPerDay?: number | null;
  /** Length of the "minute"; scaled down for tests and demos. @default 60 */
  windowSeconds?: number;
  /** @default "rolling" (the strict reading) */
  windowMode?: WindowMode;
  /** @default "status" */
  errorStyle?: ErrorStyle;
  /** "Now" for the data (today's bar is partial while its session is open) and for credit accounting. @default Date.now */
  clock?: Clock;
  /** Send `api-credits-used` / `api-credits-left` on every answer. @default true */
  sendCreditHeaders?: boolean;
  /** Seed for rate-based faults. @default 1 */
  seed?: number;
  /** Another program spending the same key from the start (other-consumer.ts). @default none */
  otherConsumer?: OtherConsumerPlan;
  /**
   * Past the window's credits, serve the symbols that fit and answer a `{"code":429}` entry for each of the others
   * (as the provider documents for requests that exceed the credits left), instead of refusing the whole request.
   * @default false
   */
  partialAnswers?: boolean;
  /**
   * Answer each /time_series after a latency drawn from this profile (latency.ts), scaled to the window, once it
   * is charged: the provider counts a request when it arrives and answers seconds later. @default instant
   */
  latency?: LatencyProfile;
}

export interface TwelveDataEmulatorCounts {
  /** Every GET /time_series, whatever its answer. */
  requests: number;
  /** Credits accepted (rejected requests spend none). */
  credits: number;
  /** Symbols of accepted requests, duplicates included. */
  symbolsRequested: number;
  /** 429 answers, minute and day. */
  rateLimited: number;
  rateLimitedMinute: number;
  rateLimitedDay: number;
  /** Symbols (upper-cased as requested) accepted more than once since the last reset, sorted. */
  repeatedSymbols: string[];
  bySymbol: Record<string, number>;
  /** The most credits accepted within any rolling window of windowSeconds: lets a test assert "never exceeded". */
  maxCreditsInAnyWindow: number;
  /** When each 429 was answered (a refused request, or a partial answer's per-symbol 429s: one each), in order. */
  rateLimitedAt: number[];
  /** When each request that was charged arrived (the instant it was counted), in order of arrival. */
  chargedAt: number[];
  /** Answers that served only part of a request. */
  partialAnswers: number;
  /** Symbols left unserved by partial answers (their own 429 entry). */
  symbolsRefused: number;
  /** Credits charged to the other program on the key (not part of `credits`). */
  otherCredits: number;
}

export interface TwelveDataEmulator {
  /** Base URL, without a trailing slash: `http://127.0.0.1:PORT`. */
  readonly url: string;
  counts(): TwelveDataEmulatorCounts;
  /** Resets the counts, not the credit accounting: the provider does not forget spends because a test looked away. */
  resetCounts(): void;
  setFaults(faults: Partial<Faults>): void;
  /** Queues `count` failures of one kind for the next /time_series requests. */
  failNext(kind: FaultKind, count?: number, symbol?: string): void;
  clearFaults(): void;
  /** Another program starts (or, with null, stops) spending the same key, from the emulator's now. */
  setOtherConsumer(plan: OtherConsumerPlan | null): void;
  setPartialAnswers(on: boolean): void;
  /** Stops listening and drops every open connection, including requests held by a `timeout` fault. */
  close(): Promise<void>;
}

/** An emulator of the Twelve Data REST API (time_series for daily bars, api_usage), on node:http. */
export async function startTwelveDataEmulator(options: TwelveDataEmulatorOptions): Promise<TwelveDataEmulator> {
  const emulator = new EmulatorServer(options);
  await emulator.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  return emulator;
}

interface Counters {
  requests: number;
  credits: number;
  symbolsRequested: number;
  rateLimitedMinute: number;
  rateLimitedDay: number;
  bySymbol: Map<string, number>;
  rateLimitedAt: number[];
  chargedAt: number[];
  partialAnswers: number;
  symbolsRefused: number;
  otherCreditsAtReset: number;
}

const emptyCounters = (): Counters => ({
  requests: 0,
  credits: 0,
  symbolsRequested: 0,
  rateLimitedMinute: 0,
  rateLimitedDay: 0,
  bySymbol: new Map(),
  rateLimitedAt: [],
  chargedAt: [],
  partialAnswers: 0,
  symbolsRefused: 0,
  otherCreditsAtReset: 0,
});

class EmulatorServer implements TwelveDataEmulator {
  readonly #market: MarketData;
  readonly #apiKeys: ReadonlySet<string>;
  readonly #errorStyle: ErrorStyle;
  readonly #clock: Clock;
  readonly #sendCreditHeaders: boolean;
  readonly #meter: CreditMeter;
  readonly #faults: FaultPlan;
  readonly #server: Server;
  readonly #timers = new Set<NodeJS.Timeout>();
  #counters = emptyCounters();
  #url = "";
  #other: OtherConsumer | undefined;
  /** Credits charged to other consumers that have stopped. */
  #otherStopped = 0;
  #partialAnswers: boolean;
  readonly #latency: ((request: AnsweredRequest) => number) | undefined;

  constructor(options: TwelveDataEmulatorOptions) {
    this.#market = options.market;
    this.#apiKeys = new Set(options.apiKeys ?? ["demo"]);
    this.#errorStyle = options.errorStyle ?? ErrorStyle.status;
    this.#clock = options.clock ?? Date.now;
    this.#sendCreditHeaders = options.sendCreditHeaders ?? true;
    this.#meter = new CreditMeter({
      perWindow: options.creditsPerMinute ?? 8,
      perDay: options.creditsPerDay === undefined ? 800 : options.creditsPerDay,
      windowMs: (options.windowSeconds ?? 60) * 1000,
      mode: options.windowMode ?? WindowMode.rolling,
    });
    this.#faults = new FaultPlan(options.seed ?? 1);
    this.#partialAnswers = options.partialAnswers ?? false;
    this.#latency = options.latency
      ? latencyModel(options.latency, { windowSeconds: options.windowSeconds ?? 60, seed: options.seed })
      : undefined;
    if (options.otherConsumer) this.#other = new OtherConsumer(options.otherConsumer, this.#clock());
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.#sendJson(res, 500, errorBody(500, `${SERVER_ERROR_MESSAGE} (${String(error)})`));
      });
    });
  }

  get url(): string {
    return this.#url;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        const address = this.#server.address() as AddressInfo;
        const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
        this.#url = `http://${shownHost}:${address.port}`;
        resolve();
      });
    });
  }

  counts(): TwelveDataEmulatorCounts {
    const c = this.#counters;
    return {
      requests: c.requests,
      credits: c.credits,
      symbolsRequested: c.symbolsRequested,
      rateLimited: c.rateLimitedMinute + c.rateLimitedDay,
      rateLimitedMinute: c.rateLimitedMinute,
      rateLimitedDay: c.rateLimitedDay,
      repeatedSymbols: [...c.bySymbol]
        .filter(([, n]) => n > 1)
        .map(([s]) => s)
        .sort(),
      bySymbol: Object.fromEntries(c.bySymbol),
      maxCreditsInAnyWindow: this.#meter.maxCreditsInAnyWindow,
      rateLimitedAt: [...c.rateLimitedAt],
      chargedAt: [...c.chargedAt],
      partialAnswers: c.partialAnswers,
      symbolsRefused: c.symbolsRefused,
      otherCredits: this.#otherSpent() - c.otherCreditsAtReset,
    };
  }

  resetCounts(): void {
    this.#counters = { ...emptyCounters(), otherCreditsAtReset: this.#otherSpent() };
    this.#meter.resetMax();
  }

  setOtherConsumer(plan: OtherConsumerPlan | null): void {
    const now = this.#now();
    this.#otherStopped = this.#otherSpent();
    this.#other = plan ? new OtherConsumer(plan, now) : undefined;
  }

  #otherSpent(): number {
    return this.#otherStopped + (this.#other?.spent ?? 0);
  }

  setPartialAnswers(on: boolean): void {
    this.#partialAnswers = on;
  }

  /** The clock, once the other program on the key has made every spend it would have made by now. */
  #now(): number {
    const now = this.#clock();
    this.#other?.catchUp(this.#meter, now);
    return now;
  }

  setFaults(faults: Partial<Faults>): void {
    this.#faults.set(faults);
  }

  failNext(kind: FaultKind, count = 1, symbol?: string): void {
    const failNext: FailNext = symbol === undefined ? { kind, count } : { kind, count, symbol };
    this.#faults.enqueue(failNext);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    return new Promise((resolve, reject) => {
      this.#server.close((error) => (error ? reject(error) : resolve()));
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/time_series") return this.#timeSeries(req, url.searchParams, res);
    if (path === "/api_usage") return this.#apiUsage(req, url.searchParams, res);
    this.#sendError(res, errorBody(404, endpointNotFoundMessage(path)));
  }

  async #timeSeries(req: IncomingMessage, params: URLSearchParams, res: ServerResponse): Promise<void> {
    this.#counters.requests++;
    if (!this.#authorized(req, params)) return this.#sendError(res, errorBody(401, BAD_API_KEY_MESSAGE));
    const query = parseTimeSeriesQuery(params);
    if ("status" in query) return this.#sendError(res, query);

    const now = this.#now();
    let refused: { symbols: ReadonlySet<string>; message: string } | undefined;
    let charge = this.#meter.charge(query.symbols.length, now);
    const left = this.#meter.perWindow - this.#meter.windowUsed(now);
    if (!charge.ok && charge.scope === "minute" && this.#partialAnswers && query.symbols.length > 1 && left > 0) {
      // A partial answer: the symbols that fit are served (and charged), each of the others gets its own 429.
      const message = minuteLimitMessage(charge.used, charge.limit);
      charge = this.#meter.charge(left, now);
      if (charge.ok) {
        refused = { symbols: new Set(query.symbols.slice(left).map((s) => s.toUpperCase())), message };
        this.#counters.partialAnswers++;
        this.#counters.symbolsRefused += refused.symbols.size;
        this.#counters.rateLimitedAt.push(now);
      }
    }
    if (!charge.ok) {
      if (charge.scope === "minute") this.#counters.rateLimitedMinute++;
      else this.#counters.rateLimitedDay++;
      this.#counters.rateLimitedAt.push(now);
      const message =
        charge.scope === "minute"
          ? minuteLimitMessage(charge.used, charge.limit)
          : dayLimitMessage(charge.used, charge.limit);
      return this.#sendError(res, errorBody(429, message));
    }
    this.#count(refused ? query.symbols.slice(0, query.symbols.length - refused.symbols.size) : query.symbols);
    this.#counters.chargedAt.push(now);

    const fault = this.#faults.next();
    if (this.#faults.latencyMs > 0) await this.#sleep(this.#faults.latencyMs);
    // The request is charged before a fault plays: the client cannot know whether a failed attempt was billed.
    if (fault?.kind === "timeout") return;
    if (fault?.kind === "html") return this.#send(res, 502, "text/html", GATEWAY_HTML);
    if (fault?.kind === "5xx") return this.#sendError(res, errorBody(500, SERVER_ERROR_MESSAGE));

    const body = this.#answer(query, new Date(now), fault, refused);
    if (this.#latency) await this.#sleep(this.#latency({ symbols: query.symbols.length, bars: barsIn(body) }));
    if (isErrorBody(body)) return this.#sendError(res, body);
    const text = JSON.stringify(body);
    if (fault?.kind === "malformed")
      return this.#send(res, 200, "application/json", text.slice(0, Math.ceil(text.length / 2)));
    this.#send(res, 200, "application/json", text);
  }

  /** One symbol answers unkeyed; several answer an object keyed by each symbol as requested. */
  #answer(
    query: TimeSeriesQuery,
    asOf: Date,
    fault: PlannedFault | undefined,
    refused?: { symbols: ReadonlySet<string>; message: string },
  ): SeriesAnswer | ErrorBody | Record<string, SeriesAnswer | ErrorBody> {
    const failing = fault?.kind === "404transient" ? (fault.symbol ?? query.symbols[0] ?? "").toUpperCase() : undefined;
    const one = (symbol: string) =>
      refused?.symbols.has(symbol.toUpperCase())
        ? errorBody(429, refused.message)
        : symbol.toUpperCase() === failing
          ? errorBody(404, DATA_NOT_FOUND_MESSAGE)
          : answerSymbol(this.#market, symbol, query, asOf);
    if (query.symbols.length === 1) return one(query.symbols[0] ?? "");
    return Object.fromEntries(query.symbols.map((symbol) => [symbol, one(symbol)]));
  }

  #apiUsage(req: IncomingMessage, params: URLSearchParams, res: ServerResponse): void {
    if (!this.#authorized(req, params)) {
      this.#sendError(res, errorBody(401, BAD_API_KEY_MESSAGE));
      return;
    }
    const now = this.#now();
    const perDay = this.#meter.perDay;
    const usage: Record<string, string | number> = {
      timestamp: new Date(now).toISOString().slice(0, 19).replace("T", " "),
      current_usage: this.#meter.windowUsed(now),
      plan_limit: this.#meter.perWindow,
    };
    if (perDay !== null) {
      usage.daily_usage = this.#meter.dayUsed(now);
      usage.plan_daily_limit = perDay;
    }
    usage.plan_category = "basic";
    this.#send(res, 200, "application/json", JSON.stringify(usage));
  }

  #authorized(req: IncomingMessage, params: URLSearchParams): boolean {
    const fromQuery = params.get("apikey");
    if (fromQuery !== null) return this.#apiKeys.has(fromQuery);
    const match = /^apikey\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? "");
    return match?.[1] !== undefined && this.#apiKeys.has(match[1]);
  }

  #count(symbols: readonly string[]): void {
    const c = this.#counters;
    c.credits += symbols.length;
    c.symbolsRequested += symbols.length;
    for (const symbol of symbols) {
      const key = symbol.toUpperCase();
      c.bySymbol.set(key, (c.bySymbol.get(key) ?? 0) + 1);
    }
  }

  #sendError(res: ServerResponse, body: ErrorBody): void {
    this.#sendJson(res, this.#errorStyle === ErrorStyle.status ? body.code : 200, body);
  }

  #sendJson(res: ServerResponse, status: number, body: unknown): void {
    this.#send(res, status, "application/json", JSON.stringify(body));
  }

  #send(res: ServerResponse, status: number, contentType: string, text: string): void {
    if (res.destroyed) return;
    const headers: Record<string, string | number> = {
      "content-type": `${contentType}; charset=utf-8`,
      "content-length": Buffer.byteLength(text),
    };
    if (this.#sendCreditHeaders) {
      const used = this.#meter.windowUsed(this.#now());
      headers["api-credits-used"] = used;
      headers["api-credits-left"] = Math.max(0, this.#meter.perWindow - used);
    }
    res.writeHead(status, headers).end(text);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === "object" && body !== null && (body as { status?: unknown }).status === "error";
}

/** Bars in an answer, one symbol's or several's: what the provider's latency grows with. */
function barsIn(body: unknown): number {
  if (!body || typeof body !== "object") return 0;
  const values = (body as { values?: unknown }).values;
  if (Array.isArray(values)) return values.length;
  return Object.values(body).reduce<number>((sum, entry) => sum + barsIn(entry), 0);
}
