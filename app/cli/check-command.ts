import { existsSync } from "node:fs";
import { createDatalake } from "../adapters/datalake/create-datalake.ts";
import { parseDatalakeTemplate } from "../adapters/datalake/datalake-template.ts";
import { type KeyShare, nextShare, planAt, takenAt } from "../adapters/dynamodb/key-share.ts";
import { loadProfile } from "../config/load-profile.ts";
import { type ProfileSettings, profileSettings } from "../config/profile-settings.ts";
import type { Datalake, KeyUsage, ReferenceProvider } from "../domain/ports.ts";
import { ProviderError, ProviderRateLimited, ProviderRefused, ProviderUnavailable } from "../domain/provider-errors.ts";
import { sharingTheKey } from "../pipeline/model.ts";
import type { SlotReservation } from "../pipeline/ports.ts";
import { resolveUniverse } from "../pipeline/universe.ts";
import { validateSymbols } from "../pipeline/validate.ts";
import { errorResult } from "../quality/check-symbol.ts";
import type { SymbolResult } from "../quality/types.ts";
import { type CheckProgress, createCheckProgress } from "./check-progress.ts";
import { type CheckSetup, checkSetup } from "./check-setup.ts";
import { CliError } from "./errors.ts";
import { DayCreditsSpentError, type LedgerCredits } from "./ledger-credits.ts";
import { jsonReport, tableReport } from "./report.ts";

export interface CheckCommandOptions {
  /** @default the stack's, with `stack` */
  datalake?: string;
  symbols?: string[];
  lookbackDays: number;
  asOf: Date;
  format: "table" | "json";
  /** Reserve the credits in this stack's ledger ("local" or a deployed stack's name). */
  stack?: string;
  /** @default the datalake profile's (./dq.config.yaml, DQ_PROFILE or DQ_PROFILE_FILE) */
  profile?: ProfileSettings;
}

export interface CheckIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The provider, plan and ledger, instead of the ones the environment and `--stack` name (tests). */
  setup?: CheckSetup;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** Times the provider may refuse a symbol for lack of credits before it is reported as not validated. */
export const MAX_REFUSALS = 10;
/** Slack after a window before this run's own credits count as free again (timers can fire early). */
const SEND_MARGIN_MS = 25;
/** Outages a symbol meets before its `error` result; the client itself retries when no ledger is used. */
const MAX_OUTAGES_WITH_LEDGER = 3;

/**
 * The single-process path: the same engine and provider client as the pipeline, paced by the client's credit pacer
 * and, with `--stack`, by the stack's credit ledger too. A rate limit never fails or loses a symbol: whatever the
 * provider refused for lack of credits (the whole request, or some symbols of a partial answer) is requested again
 * later. An outage gives the symbols `error` results; a refused key stops the run.
 */
export async function runCheck(options: CheckCommandOptions, io: CheckIo): Promise<SymbolResult[]> {
  let progress: CheckProgress | undefined;
  const setup =
    io.setup ??
    (await checkSetup(options.stack, {
      onSlotWait: (until) => progress?.note(`sessions hold the credits until ${new Date(until).toISOString()}`),
    }));
  const profile = options.profile ?? profileSettings(loadProfile().profile);
  options = { ...options, profile };
  const uriTemplate = options.datalake ?? setup.datalake;
  if (!uriTemplate)
    throw new CliError(
      `--datalake is required (or set DQ_DATALAKE)${options.stack ? `: the ${setup.where} names none` : ""}`,
    );
  const datalake = openDatalake(uriTemplate, profile.datalake);
  const symbols = await resolveUniverse({ explicit: options.symbols, datalake });
  progress = createCheckProgress(io.stderr, {
    stderrIsTTY: io.stderr.isTTY === true,
    symbols: symbols.length,
    creditsPerWindow: setup.provider.creditsPerMinute,
    windowMs: setup.provider.creditWindowSeconds * 1000,
  });
  let results: Map<string, SymbolResult>;
  try {
    results = await new CheckRun(options, setup, datalake, progress, io.sleep).run(symbols);
  } finally {
    progress.stop();
  }

  const ordered = symbols.map((s) => results.get(s) ?? errorResult(s, "internal", "not validated"));
  const asOf = options.asOf.toISOString();
  io.stdout.write(
    options.format === "json"
      ? `${JSON.stringify(jsonReport(asOf, ordered), null, 2)}\n`
      : `${tableReport(asOf, ordered)}\n`,
  );
  return ordered;
}

/**
 * The datalake, refused when a file datalake's directory does not exist: every symbol would otherwise be reported
 * `no_data`, a data defect, for what is a mistyped path.
 */
function openDatalake(uriTemplate: string, settings: ProfileSettings["datalake"]): Datalake {
  const datalake = createDatalake({ uriTemplate, ...settings });
  const template = parseDatalakeTemplate(uriTemplate);
  if (template.scheme === "file" && !existsSync(template.directory))
    throw new CliError(`datalake ${JSON.stringify(uriTemplate)}: the directory ${template.directory} does not exist`);
  return datalake;
}

/** The slot of a reservation is past: nothing was spent, the credits go back and the symbols are reserved again. */
class SlotExpiredError extends Error {
  override name = "SlotExpiredError";
}

type Attempt =
  /** Results for the symbols the provider served; `refused` were refused for lack of credits and go again. */
  | { kind: "done"; results: SymbolResult[]; refused: string[] }
  /** Nothing was validated; every symbol goes again (a rate limit of the whole request, an expired slot). */
  | { kind: "again"; rateLimited: boolean }
  /** The provider failed the whole request. */
  | { kind: "failed"; error: ProviderError };

class CheckRun {
  readonly #options: CheckCommandOptions;
  readonly #setup: CheckSetup;
  readonly #datalake: Datalake;
  readonly #progress: CheckProgress;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #results = new Map<string, SymbolResult>();
  readonly #refusals = new Map<string, number>();
  readonly #outages = new Map<string, number>();
  /** What another program on the key takes a window, as the provider's answers showed it (key-share.ts). */
  #share: KeyShare | undefined;
  /** This run's requests still inside the last window, without a ledger: paced to the plan left to it. */
  #sent: { at: number; credits: number }[] = [];

  constructor(
    options: CheckCommandOptions,
    setup: CheckSetup,
    datalake: Datalake,
    progress: CheckProgress,
    sleep: ((ms: number) => Promise<void>) | undefined,
  ) {
    this.#options = options;
    this.#setup = setup;
    this.#datalake = datalake;
    this.#progress = progress;
    this.#sleep = sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async run(symbols: readonly string[]): Promise<Map<string, SymbolResult>> {
    const pending = [...symbols];
    const { batchSize } = this.#setup.provider;
    while (pending.length > 0) {
      // No more than the credits another program on the key leaves a window: a batch that cannot fit is split.
      const plan = await this.#planNow();
      const batch = pending.splice(0, Math.max(1, Math.min(batchSize, plan)));
      let attempt: Attempt;
      try {
        const [made, unasked] = await this.#attempt(batch);
        attempt = made;
        pending.unshift(...unasked);
        if (unasked.length > 0) batch.splice(batch.length - unasked.length);
      } catch (error) {
        if (!(error instanceof DayCreditsSpentError)) throw error;
        this.#dayIsSpent(error.message, [...batch, ...pending]);
        break;
      }
      if (attempt.kind === "done") {
        for (const result of attempt.results) this.#record(result);
        const again = this.#again(attempt.refused, "refused for lack of credits");
        pending.unshift(...again);
        if (attempt.refused.length > 0) await this.#afterRefusal(attempt.refused.length, false);
      } else if (attempt.kind === "again") {
        pending.unshift(...(attempt.rateLimited ? this.#again(batch, "refused for lack of credits") : batch));
        if (attempt.rateLimited) await this.#afterRefusal(batch.length, true);
      } else if (attempt.error instanceof ProviderRateLimited && attempt.error.scope === "day") {
        await this.#setup.credits?.closeDay();
        this.#dayIsSpent(`the provider's daily credits are spent: ${attempt.error.message}`, [...batch, ...pending]);
        break;
      } else {
        pending.unshift(...this.#outage(batch, attempt.error));
      }
      this.#progress.update(this.#results.size);
    }
    return this.#results;
  }

  /**
   * The credits a request may carry now: the plan less what another program takes, once this run's own requests of
   * the last window are out of it (without a ledger; with one, its slots pace the run). Waits while nothing is free.
   */
  async #planNow(): Promise<number> {
    const { creditsPerMinute: perWindow, creditWindowSeconds } = this.#setup.provider;
    const windowMs = creditWindowSeconds * 1000;
    for (;;) {
      const now = Date.now();
      const plan = planAt(this.#share, now, perWindow, windowMs);
      // Unshared, the client's own pacer spaces the requests; shared, this run keeps to what is left to it.
      if (this.#setup.credits || plan === perWindow) return plan;
      this.#sent = this.#sent.filter((s) => s.at + windowMs + SEND_MARGIN_MS > now);
      const room = plan - this.#sent.reduce((sum, s) => sum + s.credits, 0);
      if (room > 0) return room;
      const oldest = this.#sent[0];
      await this.#sleep(oldest ? oldest.at + windowMs + SEND_MARGIN_MS - now : windowMs);
    }
  }

  /** Heard from the provider: the share another program takes, here and in the stack's ledger. */
  async #heard(usage: KeyUsage): Promise<void> {
    const { creditsPerMinute, creditWindowSeconds } = this.#setup.provider;
    const before = takenAt(this.#share, Date.now(), creditWindowSeconds * 1000);
    this.#share =
      nextShare(this.#share, usage, Date.now(), creditsPerMinute, creditWindowSeconds * 1000) ?? this.#share;
    const after = takenAt(this.#share, Date.now(), creditWindowSeconds * 1000);
    if (after !== before && after > 0) this.#progress.note(sharingTheKey(after));
    await this.#setup.credits?.observe(usage);
  }

  /**
   * One provider request for `batch`, its credits reserved in the ledger first when there is one; the symbols the
   * reservation had no room for come back unasked.
   */
  async #attempt(whole: string[]): Promise<[Attempt, string[]]> {
    const credits = this.#setup.credits;
    const reservation = credits ? await credits.reserve(whole.length) : undefined;
    const batch = whole.slice(0, reservation?.credits ?? whole.length);
    const unasked = whole.slice(batch.length);
    return [await this.#request(batch, reservation), unasked];
  }

  async #request(batch: string[], reservation: SlotReservation | undefined): Promise<Attempt> {
    const credits = this.#setup.credits;
    const refused = new Set<string>();
    const heard: { usage?: KeyUsage } = {};
    let requested = 0;
    try {
      const results = await validateSymbols(
        {
          symbols: batch,
          asOf: this.#options.asOf,
          lookbackDays: this.#options.lookbackDays,
          checkOptions: this.#options.profile?.checkOptions,
        },
        this.#datalake,
        recordingRefusals(this.#setup.client, refused, heard),
        credits && reservation
          ? ledgerHooks(credits, reservation, (n) => (requested = n))
          : { beforeRequest: async (symbols) => void this.#sent.push({ at: Date.now(), credits: symbols.length }) },
      );
      if (heard.usage) await this.#heard(heard.usage);
      if (credits && reservation) {
        await credits.release(reservation, batch.length - requested);
        // Refused symbols were not charged: their credits go back to the day's count.
        await credits.refund(reservation, refused.size);
      }
      return { kind: "done", results: results.filter((r) => !refused.has(r.symbol)), refused: [...refused] };
    } catch (error) {
      if (heard.usage) await this.#heard(heard.usage);
      if (error instanceof SlotExpiredError) {
        if (credits && reservation) await credits.release(reservation);
        return { kind: "again", rateLimited: false };
      }
      if (error instanceof ProviderRefused)
        throw new CliError(`${error.message} (check TWELVEDATA_API_KEY)`, { cause: error });
      if (error instanceof ProviderRateLimited && error.scope !== "day") {
        if (credits && reservation) await credits.refund(reservation, requested);
        return { kind: "again", rateLimited: true };
      }
      if (error instanceof ProviderError) return { kind: "failed", error };
      throw error;
    }
  }

  #record(result: SymbolResult): void {
    this.#results.set(result.symbol, result);
  }

  /** The symbols to request again after a refusal; those refused too often get an `error` result instead. */
  #again(symbols: readonly string[], why: string): string[] {
    const again: string[] = [];
    for (const symbol of symbols) {
      const refusals = (this.#refusals.get(symbol) ?? 0) + 1;
      this.#refusals.set(symbol, refusals);
      if (refusals < MAX_REFUSALS) again.push(symbol);
      else
        this.#record(
          errorResult(
            symbol,
            "rate_limit",
            `${why} ${refusals} times: another program may be spending this key's credits; check it again later`,
          ),
        );
    }
    return again;
  }

  /**
   * The provider refused credits this process believed it had (another program spends the key, or a session
   * outside the ledger): nothing is asked for a window. The client pauses by itself when it refused the whole
   * request; with the ledger, the next slot is a window away already.
   */
  async #afterRefusal(symbols: number, clientPaused: boolean): Promise<void> {
    const windowMs = this.#setup.provider.creditWindowSeconds * 1000;
    this.#progress.note(
      `the provider refused ${symbols} symbol(s) for lack of credits; asking again in ${Math.ceil(windowMs / 1000)} s`,
    );
    if (!this.#setup.credits && !clientPaused) await this.#sleep(windowMs);
  }

  /** An outage: retried (with the ledger, a request is attempted once per reservation), then `error` results. */
  #outage(batch: readonly string[], error: ProviderError): string[] {
    const limit = this.#setup.credits && error instanceof ProviderUnavailable ? MAX_OUTAGES_WITH_LEDGER : 1;
    const again: string[] = [];
    for (const symbol of batch) {
      const outages = (this.#outages.get(symbol) ?? 0) + 1;
      this.#outages.set(symbol, outages);
      if (outages < limit) again.push(symbol);
      else this.#record(errorResult(symbol, "provider", error.message));
    }
    if (again.length > 0) this.#progress.note(`provider failure, trying again: ${error.message.split("\n")[0]}`);
    return again;
  }

  /** The day's credits are gone: the symbols not yet validated say so, unless none was, and the run is refused. */
  #dayIsSpent(message: string, unvalidated: readonly string[]): void {
    const where = this.#setup.where ? ` (ledger of the ${this.#setup.where})` : "";
    const advice = `run dq check again after 00:00 UTC, or start a session (dq run${this.#options.stack ? ` --stack ${this.#options.stack}` : ""}), which pauses and resumes by itself`;
    if (this.#results.size === 0) throw new CliError(`${message}${where}: ${advice}`);
    this.#progress.note(`${message}${where}`);
    for (const symbol of unvalidated) this.#record(errorResult(symbol, "rate_limit", `${message}: ${advice}`));
  }
}

/** The spend gate right before the request, and the request's end settled, as a session's batches do. */
function ledgerHooks(credits: LedgerCredits, reservation: SlotReservation, onRequest: (symbols: number) => void) {
  let spent = false;
  return {
    beforeRequest: async (symbols: readonly string[]) => {
      if (!(await credits.spend(reservation, symbols.length))) throw new SlotExpiredError();
      spent = true;
      onRequest(symbols.length);
    },
    afterRequest: async () => {
      if (spent) await credits.settle(reservation);
    },
  };
}

/**
 * The provider, remembering which symbols a partial answer refused for lack of credits (their own 429 entries):
 * they were not served, so they are requested again rather than reported as errors.
 */
function recordingRefusals(
  provider: ReferenceProvider,
  refused: Set<string>,
  heard: { usage?: KeyUsage },
): ReferenceProvider {
  return {
    async dailyBars(symbols, range) {
      const answer = await provider.dailyBars(symbols, range, (usage) => {
        heard.usage = usage;
      });
      for (const [symbol, outcome] of answer) if (!outcome.ok && outcome.code === 429) refused.add(symbol);
      return answer;
    },
  };
}
