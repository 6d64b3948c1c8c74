import type { Command } from "commander";
import { createDatalake } from "../adapters/datalake/create-datalake.ts";
import { type AdjustConvention, TwelveDataClient } from "../adapters/twelvedata/client.ts";
import { OPERATOR_COUNTED_WITHIN_MS } from "../adapters/twelvedata/credit-pacer.ts";
import { isLoopbackUrl, type ProviderConfig, providerConfigFromEnv } from "../config/config.ts";
import { loadProfile, readProfileFile } from "../config/load-profile.ts";
import type { Profile } from "../config/profile.ts";
import { profileSettings } from "../config/profile-settings.ts";
import type { Bar } from "../domain/bar.ts";
import type { ReferenceProvider } from "../domain/ports.ts";
import { parseSymbol } from "../domain/symbol.ts";
import { checkSymbol } from "../quality/check-symbol.ts";
import { CheckCode } from "../quality/types.ts";
import { CliError } from "./errors.ts";
import { parseInstant, parseSymbolList } from "./options.ts";

export interface ProfileCheckOptions {
  /** @default the profile's datalake.uri, then DQ_DATALAKE */
  datalake?: string;
  /** A profile file instead of the one in force (DQ_PROFILE, DQ_PROFILE_FILE, ./dq.config.yaml). */
  profile?: string;
  /** Symbols to sample. @default `sample` symbols spread over the datalake's listing */
  symbols?: string[];
  /** @default 3 */
  sample?: number;
  /** @default now */
  asOf?: Date;
  /** Days compared under each adjustment convention. @default 120 */
  lookbackDays?: number;
}

export interface ProfileCheckIo {
  stdout: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** The provider, instead of the one the environment names (tests). */
  provider?: (adjust: AdjustConvention) => ReferenceProvider;
}

/** What `dq profile check` found: the lines it printed and the settings it suggests changing. */
export interface ProfileCheckReport {
  lines: string[];
  suggestions: string[];
}

const CONVENTIONS: readonly AdjustConvention[] = ["none", "splits", "all"];
const PRICE_CODES: ReadonlySet<string> = new Set([CheckCode.adjustmentMismatch, CheckCode.priceMismatch]);

/**
 * Validates the profile against a sample of the datalake: the files are read with the profile's columns and
 * timestamp rule, and the sample is compared with Twelve Data under each adjustment convention (one request per
 * convention, one credit per symbol each), to say which convention the datalake's prices follow. Prints what it
 * found and what to change; returns the suggestions (the command exits 2 when there are any).
 */
export async function runProfileCheck(options: ProfileCheckOptions, io: ProfileCheckIo): Promise<ProfileCheckReport> {
  const env = io.env ?? process.env;
  const loaded = options.profile
    ? { profile: readProfileFile(options.profile), source: options.profile }
    : loadProfile(env);
  const profile = loaded.profile;
  const uri = options.datalake ?? profile.datalake.uri ?? env.DQ_DATALAKE;
  if (!uri) throw new CliError("--datalake is required (or set datalake.uri in the profile, or DQ_DATALAKE)");
  const settings = profileSettings(profile);
  const lines: string[] = [];
  const suggestions: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    io.stdout.write(`${line}\n`);
  };
  const suggest = (line: string) => {
    suggestions.push(line);
    say(`  -> ${line}`);
  };

  say(`profile: ${loaded.source} (adjust: ${profile.adjust}, instants: ${profile.datalake.instants})`);
  const datalake = createDatalake({ uriTemplate: uri, ...settings.datalake });
  const listing = await datalake.listing();
  say(`datalake: ${uri}: ${listing.symbols.length} symbol(s)`);
  if (listing.skipped.length > 0)
    suggest(
      `${listing.skipped.length} file name(s) are not a symbol dq can read and are left out of the universe: ` +
        `${listing.skipped.slice(0, 5).join(", ")}${listing.skipped.length > 5 ? ", ..." : ""} (rename them, upper case)`,
    );

  const symbols = options.symbols?.map(parseSymbol) ?? spread(listing.symbols, options.sample ?? 3);
  if (symbols.length === 0) throw new CliError(`no symbol to sample in ${uri}`);
  const subjects = new Map<string, Bar[]>();
  for (const symbol of symbols) {
    try {
      const bars = await datalake.readBars(symbol);
      subjects.set(symbol, bars);
      say(`  ${symbol}: ${describeBars(bars)}`);
    } catch (error) {
      say(`  ${symbol}: unreadable: ${(error as Error).message}`);
      suggest(`check datalake.columns for ${symbol}'s file (the reader expects date, open, high, low, close, volume)`);
    }
  }
  const readable = [...subjects.keys()];
  if (readable.length === 0) return { lines, suggestions };

  const providerFor = io.provider ?? defaultProvider(env);
  if (!providerFor) {
    say("adjustment: not compared (set TWELVEDATA_API_KEY, or TWELVEDATA_BASE_URL to an emulator)");
    return { lines, suggestions };
  }
  await compareConventions(profile, settings.checkOptions, subjects, providerFor, options, say, suggest);
  if (suggestions.length === 0) say("the profile fits the sample");
  return { lines, suggestions };
}

async function compareConventions(
  profile: Profile,
  checkOptions: ReturnType<typeof profileSettings>["checkOptions"],
  subjects: Map<string, Bar[]>,
  providerFor: (adjust: AdjustConvention) => ReferenceProvider,
  options: ProfileCheckOptions,
  say: (line: string) => void,
  suggest: (line: string) => void,
): Promise<void> {
  const asOf = options.asOf ?? new Date();
  const lookbackDays = options.lookbackDays ?? 120;
  const endDate = asOf.toISOString().slice(0, 10);
  const startDate = new Date(asOf.getTime() - (lookbackDays + 7) * 86_400_000).toISOString().slice(0, 10);
  const symbols = [...subjects.keys()];
  const findings = new Map<AdjustConvention, number>();
  const details: string[] = [];
  for (const adjust of CONVENTIONS) {
    const answers = await providerFor(adjust).dailyBars(symbols, { startDate, endDate });
    let count = 0;
    for (const symbol of symbols) {
      const outcome = answers.get(symbol);
      if (!outcome?.ok) {
        if (adjust === CONVENTIONS[0]) say(`  ${symbol}: the provider answered ${outcome ? outcome.code : "nothing"}`);
        continue;
      }
      const result = checkSymbol({
        symbol,
        subject: subjects.get(symbol) ?? [],
        reference: outcome.series,
        asOf,
        options: { ...checkOptions, lookbackDays },
      });
      count += result.issues.filter((issue) => PRICE_CODES.has(issue.code)).length;
      if (adjust === profile.adjust && result.issues.some((i) => i.code === CheckCode.missingBars))
        details.push(`${symbol} misses sessions the provider has: check datalake.instants and the time zone of dates`);
    }
    findings.set(adjust, count);
  }
  say(
    `adjustment: price findings over ${lookbackDays} days per convention: ` +
      CONVENTIONS.map((c) => `${c} ${findings.get(c)}`).join(", "),
  );
  const best = CONVENTIONS.reduce((a, b) => ((findings.get(b) ?? 0) < (findings.get(a) ?? 0) ? b : a), profile.adjust);
  if ((findings.get(best) ?? 0) < (findings.get(profile.adjust) ?? 0))
    suggest(`prices look ${DESCRIBE[best]}: set adjust: ${best}`);
  else say(`  prices look ${DESCRIBE[profile.adjust]}, as the profile says (adjust: ${profile.adjust})`);
  for (const detail of details) suggest(detail);
}

const DESCRIBE: Record<AdjustConvention, string> = {
  none: "raw (not adjusted)",
  splits: "split-adjusted, not dividend-adjusted",
  all: "dividend-adjusted (total return)",
};

function describeBars(bars: readonly Bar[]): string {
  if (bars.length === 0) return "no file";
  const dates = bars.map((b) => b.date).sort();
  const missing = bars.filter((b) => Number.isNaN(b.open + b.high + b.low + b.close)).map((b) => b.date);
  const instants = bars.filter((b) => b.instant !== undefined).length;
  const parts = [`${bars.length} bars ${dates[0]}..${dates[dates.length - 1]}`];
  if (missing.length > 0)
    parts.push(
      `${missing.length} with a blank or NaN price (${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", ..." : ""})`,
    );
  if (instants > 0) parts.push(`${instants} dated from bare instants, in the exchange's zone`);
  return parts.join("; ");
}

/** Up to `count` symbols spread evenly over the listing. */
function spread(symbols: readonly string[], count: number): string[] {
  if (symbols.length <= count) return [...symbols];
  return Array.from({ length: count }, (_, i) => symbols[Math.floor((i * symbols.length) / count)] as string);
}

function defaultProvider(env: NodeJS.ProcessEnv): ((adjust: AdjustConvention) => ReferenceProvider) | undefined {
  let config: ProviderConfig;
  try {
    config = providerConfigFromEnv(env);
  } catch {
    return undefined;
  }
  if (!config.apiKey && !isLoopbackUrl(config.baseUrl)) return undefined;
  const clients = new Map<AdjustConvention, ReferenceProvider>();
  return (adjust) => {
    let client = clients.get(adjust);
    if (!client) {
      client = TwelveDataClient.fromConfig(config, { adjust, countedWithinMs: OPERATOR_COUNTED_WITHIN_MS });
      clients.set(adjust, client);
    }
    return client;
  };
}

/** `dq profile check`: registered by dq.ts. */
export function registerProfileCommand(program: Command): void {
  const profile = program.command("profile").description("the datalake profile (dq.config.yaml)");
  profile
    .command("check")
    .description("validate the profile against a sample of the datalake and say what to change")
    .option("--datalake <uri-template>", "the datalake (default: the profile's datalake.uri, or DQ_DATALAKE)")
    .option("--profile <file>", "a profile file (default: DQ_PROFILE, DQ_PROFILE_FILE or ./dq.config.yaml)")
    .option("--symbols <list>", "symbols to sample (default: a few spread over the datalake)", parseSymbolList)
    .option("--sample <n>", "how many symbols to sample", (v) => Number.parseInt(v, 10), 3)
    .option("--as-of <instant>", "ISO instant to compare as of (default: now)", parseInstant)
    .action(async (opts: ProfileCheckOptions) => {
      const report = await runProfileCheck(opts, { stdout: process.stdout });
      // A profile that does not fit its datalake is a configuration problem: one line and exit code 2.
      if (report.suggestions.length > 0)
        throw new CliError(
          `the profile does not fit the sample: ${report.suggestions.length} change(s) suggested above`,
        );
    });
}
