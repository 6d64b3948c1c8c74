import { ProviderAuthError, ProviderUnavailableError, RateLimitError } from "../app/adapters/twelvedata/errors.ts";
import type { Bar } from "../app/domain/bar.ts";
import type { DailyRange, KeyUsage, ReferenceOutcome, ReferenceProvider } from "../app/domain/ports.ts";
import type { Simulation } from "./engine.ts";
import type { FaultPlan } from "./faults.ts";
import type { Invocation } from "./lambda.ts";
import { barsBetween } from "./market.ts";
import type { Random } from "./random.ts";

const WINDOW_MS = 60_000;
const DAY_MS = 86_400_000;
/** The client's per-request timeout. */
const TIMEOUT_MS = 15_000;

export interface ProviderOptions {
  creditsPerMinute: number;
  creditsPerDay: number | null;
  /** Past the minute's credits: serve what is left and answer 429 per symbol for the rest, or refuse the whole request. */
  partialAnswers: boolean;
  /** Per request: a 5xx, a gateway's HTML page or cut-short JSON. */
  outageRate: number;
  /** Per request: no answer within the client's timeout (the request did reach the provider and is charged). */
  timeoutRate: number;
  /** From this instant the key is refused (401). */
  revokedAt?: number;
  /** The last complete trading day the market has; a function of the clock for a market that moves. */
  lastDate: string | (() => string);
}

/** One request as the provider counted it. */
export interface Arrival {
  at: number;
  /** Credits the request asked for. */
  credits: number;
  /** Credits the provider charged (0 when it refused). */
  charged: number;
  consumer: "dq" | "other";
  /** served (whole or in part), refused for lack of credits, or never counted (an outage, a refused key). */
  kind: "served" | "refused" | "outage" | "unauthorized";
}

/**
 * Twelve Data as the simulation plays it: one account (one API key), credits counted when a request arrives,
 * over a rolling 60 s window (the stricter reading) and the UTC day. Past the minute's credits a request is refused
 * with the provider's own 429 text, or partly served with per-symbol 429 entries; past the day's, the day's 429.
 * Each symbol of an answer is what the client's answer reader makes of its entry: its bars, or its own 429.
 */
export class SimProvider {
  readonly arrivals: Arrival[] = [];
  readonly #sim: Simulation;
  readonly #random: Random;
  readonly #faults: FaultPlan;
  readonly #options: ProviderOptions;
  readonly #bars = new Map<string, { lastDate: string; bars: Bar[] }>();

  constructor(sim: Simulation, random: Random, faults: FaultPlan, options: ProviderOptions) {
    this.#sim = sim;
    this.#random = random;
    this.#faults = faults;
    this.#options = options;
  }

  /** Another program spending the same key straight at the provider (a datalake loader). */
  otherConsumer(meanGapMs: number, active: () => boolean): void {
    const next = () => {
      if (!active()) return;
      this.#spendAsOther(this.#random.int(1, this.#options.creditsPerMinute));
      this.#sim.after(this.#random.between(meanGapMs / 4, meanGapMs * 2), next);
    };
    this.#sim.after(this.#random.between(0, meanGapMs), next);
  }

  /**
   * Another program that keeps `credits` of every rolling minute to itself, taking them back within a second of
   * their coming free; with `credits` at the plan's and `from`/`to`, one that takes the whole plan for a while.
   */
  greedyConsumer(credits: number, active: () => boolean, from = this.#sim.now, to = Number.POSITIVE_INFINITY): void {
    const take = () => {
      if (!active() || this.#sim.now >= to) return;
      const mine = this.#chargedBetween(this.#sim.now - WINDOW_MS, this.#sim.now, "other");
      const free = this.#options.creditsPerMinute - this.chargedBetween(this.#sim.now - WINDOW_MS, this.#sim.now);
      const wanted = Math.min(credits - mine, free);
      if (wanted > 0) this.#spendAsOther(wanted);
      this.#sim.after(1_000, take);
    };
    this.#sim.at(from, take);
  }

  /**
   * Another program that wants `credits` at once every `everyMs`: it takes what is free, and the rest within a second
   * of its coming free, until it has its burst.
   */
  burstyConsumer(credits: number, everyMs: number, active: () => boolean): void {
    const burst = (wanted: number) => {
      if (!active()) return;
      const free = this.#options.creditsPerMinute - this.chargedBetween(this.#sim.now - WINDOW_MS, this.#sim.now);
      const take = Math.min(wanted, free);
      if (take > 0) this.#spendAsOther(take);
      if (take < wanted) this.#sim.after(1_000, () => burst(wanted - take));
    };
    const period = () => {
      if (!active()) return;
      burst(credits);
      this.#sim.after(everyMs, period);
    };
    this.#sim.after(this.#random.between(0, everyMs), period);
  }

  #spendAsOther(credits: number): void {
    const { charged } = this.#charge(credits, false);
    this.arrivals.push({
      at: this.#sim.now,
      credits,
      charged,
      consumer: "other",
      kind: charged > 0 ? "served" : "refused",
    });
    this.#faults.count("another consumer spent the key");
  }

  forInvocation(invocation: Invocation): ReferenceProvider {
    return {
      dailyBars: (symbols, range, observe, sent) => {
        sent?.();
        return this.#request(invocation, symbols, range, observe);
      },
    };
  }

  async #request(
    invocation: Invocation,
    symbols: readonly string[],
    range: DailyRange,
    observe?: (usage: KeyUsage) => void,
  ): Promise<Map<string, ReferenceOutcome>> {
    const wanted = [...new Set(symbols)];
    await invocation.sleep(this.#random.between(20, 250));
    const { revokedAt } = this.#options;
    if (revokedAt !== undefined && this.#sim.now >= revokedAt) {
      this.arrivals.push({
        at: this.#sim.now,
        credits: wanted.length,
        charged: 0,
        consumer: "dq",
        kind: "unauthorized",
      });
      await invocation.sleep(this.#random.between(100, 400));
      throw new ProviderAuthError(
        "Twelve Data refused the API key (401): **apikey** parameter is incorrect or not specified.",
        { status: 401, attempts: 1 },
      );
    }
    if (this.#faults.roll(this.#options.outageRate, "provider 5xx / html / malformed answer")) {
      this.arrivals.push({ at: this.#sim.now, credits: wanted.length, charged: 0, consumer: "dq", kind: "outage" });
      await invocation.sleep(this.#random.between(100, 3_000));
      throw new ProviderUnavailableError("Twelve Data unavailable after 1 attempts: HTTP 502 with a non-JSON body", {
        status: 502,
        attempts: 1,
      });
    }
    const arrival = { ...this.#charge(wanted.length, this.#options.partialAnswers), at: this.#sim.now };
    this.arrivals.push({
      at: this.#sim.now,
      credits: wanted.length,
      charged: arrival.charged,
      consumer: "dq",
      kind: arrival.refused === undefined ? "served" : "refused",
    });
    if (this.#faults.roll(this.#options.timeoutRate, "provider timeout")) {
      await invocation.sleep(TIMEOUT_MS);
      throw new ProviderUnavailableError(
        `Twelve Data unavailable after 1 attempts: no answer within ${TIMEOUT_MS} ms`,
        {
          attempts: 1,
        },
      );
    }
    await invocation.sleep(this.#random.logUniform(300, 8_000));
    // The credit headers, as the window stood when the request was counted: what others held beside it.
    if (arrival.refused !== "day") {
      const used = this.chargedBetween(arrival.at - WINDOW_MS, arrival.at);
      const refused = wanted.length - arrival.charged;
      observe?.({
        others: Math.max(0, used - arrival.charged),
        limit: this.#options.creditsPerMinute,
        overflow:
          arrival.refused === "minute" ? Math.max(1, used + wanted.length - this.#options.creditsPerMinute) : refused,
      });
    }
    if (arrival.refused !== undefined) {
      const day = arrival.refused === "day";
      throw new RateLimitError(`Twelve Data rate limit (${day ? "day" : "minute"}): ${arrival.message}`, {
        scope: day ? "day" : "minute",
        retryAfterMs: day ? nextUtcDay(this.#sim.now) - this.#sim.now : WINDOW_MS,
        status: 429,
        attempts: 1,
      });
    }
    const served = new Set(wanted.slice(0, arrival.charged));
    if (served.size < wanted.length) this.#faults.count("partial multi-symbol answer");
    // What the client's answer reader makes of each entry: the symbol's bars in the range, or its own 429.
    const end = minDate(range.endDate, this.#lastDate());
    return new Map(
      wanted.map((symbol): [string, ReferenceOutcome] => [
        symbol,
        served.has(symbol)
          ? {
              ok: true,
              series: {
                bars: this.#series(symbol).filter((b) => b.date >= range.startDate && b.date <= end),
                exchangeTimezone: "America/New_York",
              },
            }
          : { ok: false, code: 429, message: arrival.message },
      ]),
    );
  }

  #series(symbol: string): Bar[] {
    const lastDate = this.#lastDate();
    let cached = this.#bars.get(symbol);
    if (cached === undefined || cached.lastDate !== lastDate) {
      const last = Date.parse(`${lastDate}T00:00:00Z`);
      cached = {
        lastDate,
        bars: barsBetween(symbol, new Date(last - 60 * DAY_MS).toISOString().slice(0, 10), lastDate),
      };
      this.#bars.set(symbol, cached);
    }
    return cached.bars.map((b) => ({ ...b }));
  }

  /** The market's last bar: fixed, or moving with the clock (coverage scenarios run for weeks). */
  #lastDate(): string {
    const last = this.#options.lastDate;
    return typeof last === "string" ? last : last();
  }

  /** Counts a request of `credits` arriving now; what it may be charged, and why it was refused if it was. */
  #charge(credits: number, partial: boolean): { charged: number; refused?: "minute" | "day"; message: string } {
    const now = this.#sim.now;
    const { creditsPerMinute, creditsPerDay } = this.#options;
    const minute = this.chargedBetween(now - WINDOW_MS, now);
    const day = this.chargedBetween(startOfUtcDay(now), now);
    if (creditsPerDay !== null && day + credits > creditsPerDay)
      return {
        charged: 0,
        refused: "day",
        message: `You have run out of API credits for the day. ${day + credits} API credits were used, with the current limit being ${creditsPerDay}.`,
      };
    const message = `You have run out of API credits for the current minute. ${minute + credits} API credits were used, with the current limit being ${creditsPerMinute}. Wait for the next minute or consider switching to a higher tier plan at https://twelvedata.com/pricing`;
    const left = Math.max(0, creditsPerMinute - minute);
    if (credits <= left) return { charged: credits, message };
    if (partial && left > 0 && credits > 1) return { charged: left, message };
    return { charged: 0, refused: "minute", message };
  }

  /** Credits charged (every consumer) for requests that arrived in (from, to]. */
  chargedBetween(from: number, to: number): number {
    return this.#chargedBetween(from, to);
  }

  #chargedBetween(from: number, to: number, consumer?: Arrival["consumer"]): number {
    let sum = 0;
    for (let i = this.arrivals.length - 1; i >= 0; i--) {
      const a = this.arrivals[i] as Arrival;
      if (a.at <= from) break;
      if (a.at <= to && (consumer === undefined || a.consumer === consumer)) sum += a.charged;
    }
    return sum;
  }
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function nextUtcDay(ms: number): number {
  return startOfUtcDay(ms) + DAY_MS;
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}
