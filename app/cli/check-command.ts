import cliProgress from "cli-progress";
import { createDatalake } from "../adapters/datalake/create-datalake.ts";
import { TwelveDataClient } from "../adapters/twelvedata/client.ts";
import { ProviderAuthError, ProviderUnavailableError, RateLimitError } from "../adapters/twelvedata/errors.ts";
import { ConfigError, isLoopbackUrl, type ProviderConfig } from "../config/config.ts";
import type { ReferenceProvider } from "../domain/ports.ts";
import { ProviderError } from "../domain/provider-errors.ts";
import { planBatches } from "../pipeline/planning.ts";
import { resolveUniverse } from "../pipeline/universe.ts";
import { validateSymbols } from "../pipeline/validate.ts";
import { errorResult } from "../quality/check-symbol.ts";
import type { SymbolResult } from "../quality/types.ts";
import { CliError } from "./errors.ts";
import { jsonReport, tableReport } from "./report.ts";

export interface CheckCommandOptions {
  datalake: string;
  symbols?: string[];
  lookbackDays: number;
  asOf: Date;
  format: "table" | "json";
}

const MAX_RATE_LIMIT_RETRIES = 5;

/**
 * The single-process path: the same engine and provider client as the pipeline, one batch at a time, paced by
 * the client's credit limiter. A rate limit waits and retries the batch (never a data failure); an outage gives
 * the batch's symbols `error` results.
 */
export async function runCheck(
  options: CheckCommandOptions,
  provider: ProviderConfig,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WriteStream | NodeJS.WritableStream; client?: ReferenceProvider },
): Promise<SymbolResult[]> {
  if (!provider.apiKey && !isLoopbackUrl(provider.baseUrl)) {
    throw new CliError(`TWELVEDATA_API_KEY is not set: a key is required for ${provider.baseUrl}`);
  }
  let client: ReferenceProvider;
  try {
    client = io.client ?? TwelveDataClient.fromConfig(provider);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ProviderError)
      throw new CliError(error.message, { cause: error });
    throw error;
  }
  const datalake = createDatalake({ uriTemplate: options.datalake });
  const symbols = await resolveUniverse({ explicit: options.symbols, datalake });
  const batches = planBatches(symbols, provider.batchSize);

  const tty = "isTTY" in io.stderr && io.stderr.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        { stream: io.stderr, format: "checking {bar} {value}/{total} symbols | ETA {eta_formatted}", hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(symbols.length, 0);
  const results: SymbolResult[] = [];
  try {
    for (const batch of batches) {
      results.push(...(await checkBatch(batch, options, datalake, client, io.stderr)));
      bar?.increment(batch.length);
    }
  } finally {
    bar?.stop();
  }

  const asOf = options.asOf.toISOString();
  io.stdout.write(
    options.format === "json"
      ? `${JSON.stringify(jsonReport(asOf, results), null, 2)}\n`
      : `${tableReport(asOf, results)}\n`,
  );
  return results;
}

async function checkBatch(
  symbols: string[],
  options: CheckCommandOptions,
  datalake: ReturnType<typeof createDatalake>,
  client: ReferenceProvider,
  stderr: NodeJS.WritableStream,
): Promise<SymbolResult[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await validateSymbols(
        { symbols, asOf: options.asOf, lookbackDays: options.lookbackDays },
        datalake,
        client,
      );
    } catch (error) {
      if (error instanceof ProviderAuthError)
        throw new CliError(`the provider refused the API key: ${error.message}`, { cause: error });
      if (error instanceof RateLimitError && error.scope === "minute" && attempt < MAX_RATE_LIMIT_RETRIES) {
        stderr.write(`dq: provider rate limit (${error.scope}); waiting ${Math.ceil(error.retryAfterMs / 1000)} s\n`);
        await new Promise((r) => setTimeout(r, error.retryAfterMs));
        continue;
      }
      if (
        error instanceof RateLimitError ||
        error instanceof ProviderUnavailableError ||
        error instanceof ProviderError
      ) {
        const kind = error instanceof RateLimitError ? "rate_limit" : "provider";
        return symbols.map((s) => errorResult(s, kind, error.message));
      }
      throw error;
    }
  }
}
