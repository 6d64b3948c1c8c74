import { z } from "zod";
import { UserFacingError } from "../domain/errors.ts";
import { ENV } from "../wiring.ts";

/** A configuration value that is missing or malformed. The message names the variable and what it expects. */
export class ConfigError extends UserFacingError {
  override name = "ConfigError";
}

const positiveInt = (what: string) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .int()
    .positive();

export const ProviderConfigSchema = z.object({
  baseUrl: z.url().default("https://api.twelvedata.com"),
  /** Resolved secret; never logged, never stored. Empty only for a local emulator. */
  apiKey: z.string().default(""),
  creditsPerMinute: positiveInt("creditsPerMinute").default(8),
  /** null: no daily cap (paid plans). */
  creditsPerDay: positiveInt("creditsPerDay").nullable().default(800),
  creditWindowSeconds: z.coerce.number().positive().max(3600).default(60),
  /** Symbols per request. @default min(creditsPerMinute, 8) */
  batchSize: positiveInt("batchSize").max(120).optional(),
  /** Per request. @default 15000 */
  timeoutMs: positiveInt("timeoutMs").default(15_000),
  /** Attempts for 5xx, timeouts and non-JSON answers. @default 3 */
  maxAttempts: positiveInt("maxAttempts").max(10).default(3),
});
export type ProviderConfig = z.infer<typeof ProviderConfigSchema> & { batchSize: number };

/**
 * The longest lookback a session may ask for: the coordinator, the runtime's config and the stack's config all
 * refuse beyond it, so a stack cannot deploy a default that every function then rejects at cold start.
 */
export const MAX_LOOKBACK_DAYS = 366;

export function providerConfig(input: z.input<typeof ProviderConfigSchema>): ProviderConfig {
  const parsed = ProviderConfigSchema.safeParse(input);
  if (!parsed.success)
    throw new ConfigError(`provider config: ${z.prettifyError(parsed.error).replaceAll("\n", "; ")}`);
  const p = parsed.data;
  // A batch is one request, whose credits one slot of the ledger must hold: a larger one could never be reserved.
  if (p.batchSize !== undefined && p.batchSize > p.creditsPerMinute)
    throw new ConfigError(
      `provider config: batchSize ${p.batchSize} is more than the plan's ${p.creditsPerMinute} credits per minute: a batch is one request and must fit one window`,
    );
  return { ...p, batchSize: p.batchSize ?? Math.min(p.creditsPerMinute, 8) };
}

/** Reads the provider settings from the environment variables documented in the README. */
export function providerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const day = env[ENV.creditsPerDay];
  return providerConfig({
    baseUrl: env[ENV.twelveDataBaseUrl] || undefined,
    apiKey: env[ENV.twelveDataApiKey] ?? "",
    creditsPerMinute: env[ENV.creditsPerMinute] || undefined,
    creditsPerDay: day === undefined || day === "" ? undefined : day === "none" || day === "0" ? null : day,
    creditWindowSeconds: env[ENV.creditWindowSeconds] || undefined,
    batchSize: env[ENV.batchSize] || undefined,
  } as z.input<typeof ProviderConfigSchema>);
}

/** True for an emulator on this machine, which needs no key. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
