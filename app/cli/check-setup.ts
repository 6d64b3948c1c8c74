import { TwelveDataClient } from "../adapters/twelvedata/client.ts";
import { OPERATOR_COUNTED_WITHIN_MS } from "../adapters/twelvedata/credit-pacer.ts";
import { ConfigError, isLoopbackUrl, type ProviderConfig, providerConfigFromEnv } from "../config/config.ts";
import { loadProfile } from "../config/load-profile.ts";
import type { ReferenceProvider } from "../domain/ports.ts";
import { defaultSettings } from "../pipeline/context.ts";
import { accountOf } from "../pipeline/planning.ts";
import { ENV } from "../wiring.ts";
import { CliError } from "./errors.ts";
import { LedgerCredits } from "./ledger-credits.ts";
import { stackPlanEnv } from "./target.ts";

/** What `dq check` talks to: the provider, and with `--stack` the stack's credit ledger. */
export interface CheckSetup {
  provider: ProviderConfig;
  client: ReferenceProvider;
  /** Present with `--stack`: every request's credits are reserved there first. */
  credits?: LedgerCredits;
  /** The stack, for messages. */
  where?: string;
  /** The stack's default datalake, for a check that names none. */
  datalake?: string;
}

/**
 * Without a stack: the provider from the environment, paced by the client alone. With one: the stack's provider
 * URL and plan (its ledger's slots are cut by them, so they must be the stack's), the key from TWELVEDATA_API_KEY
 * or else the stack's own, and the stack's ledger.
 */
export async function checkSetup(
  stack: string | undefined,
  options: { env?: NodeJS.ProcessEnv; onSlotWait?: (until: number) => void } = {},
): Promise<CheckSetup> {
  const env = options.env ?? process.env;
  if (stack === undefined) {
    const provider = providerConfigFromEnv(env);
    if (!provider.apiKey && !isLoopbackUrl(provider.baseUrl))
      throw new CliError(`TWELVEDATA_API_KEY is not set: a key is required for ${provider.baseUrl}`);
    return { provider, client: clientFor(provider) };
  }

  // Only a check with a stack needs AWS: loaded then.
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }, { DynamoCreditLedger }, { resolveSecret }] = await Promise.all(
    [
      import("@aws-sdk/client-dynamodb"),
      import("@aws-sdk/lib-dynamodb"),
      import("../adapters/dynamodb/credit-ledger.ts"),
      import("../runtime/secrets.ts"),
    ],
  );
  const { env: stackEnv, where } = await stackPlanEnv(stack);
  // The stack's AWS endpoints and credentials (the local stack's emulators) reach the SDK the standard way.
  for (const [name, value] of Object.entries(stackEnv)) if (name.startsWith("AWS_")) process.env[name] = value;
  const apiKey =
    env[ENV.twelveDataApiKey] ||
    (await resolveSecret(stackEnv, ENV.twelveDataApiKey, ENV.twelveDataApiKeyParameter, { required: false }));
  const provider = providerConfigFromEnv({ ...stackEnv, [ENV.twelveDataApiKey]: apiKey });
  if (!provider.apiKey && !isLoopbackUrl(provider.baseUrl))
    throw new CliError(`no provider key for the ${where}: set TWELVEDATA_API_KEY`);
  // The key's ledger is in another stack's table when this stack shares that stack's key.
  const tableName = stackEnv[ENV.ledgerTable] || stackEnv[ENV.tableName];
  if (!tableName) throw new CliError(`the ${where} names no table (${ENV.tableName})`);

  const settings = defaultSettings({
    windowMs: provider.creditWindowSeconds * 1000,
    creditsPerWindow: provider.creditsPerMinute,
    batchSize: provider.batchSize,
  });
  const ledger = new DynamoCreditLedger({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
    // The same account the stack's functions reserve under (an emulator's empty key is the "demo" key).
    account: accountOf(provider.apiKey || "demo"),
    creditsPerSlot: provider.creditsPerMinute,
    creditsPerDay: provider.creditsPerDay,
    windowMs: settings.windowMs,
    marginMs: settings.marginMs,
  });
  const credits = new LedgerCredits({
    ledger,
    horizonMs: settings.horizonMs,
    maxSpendWaitMs: settings.maxSpendWaitMs,
    onWait: options.onSlotWait,
  });
  // Every request passes the spend gate, like a session's: a retry inside the client would spend unreserved credits.
  const datalake = stackEnv[ENV.datalake] || undefined;
  return { provider, client: clientFor({ ...provider, maxAttempts: 1 }), credits, where, datalake };
}

function clientFor(provider: ProviderConfig): ReferenceProvider {
  try {
    // The datalake's adjustment convention, from the profile, so the provider answers in the same prices.
    return TwelveDataClient.fromConfig(provider, {
      adjust: loadProfile().profile.adjust,
      countedWithinMs: OPERATOR_COUNTED_WITHIN_MS,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, { cause: error });
    throw error;
  }
}
