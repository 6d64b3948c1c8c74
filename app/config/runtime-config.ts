import { z } from "zod";
import { ENV, FUNCTIONS } from "../wiring.ts";
import { ConfigError, MAX_LOOKBACK_DAYS, type ProviderConfig, providerConfigFromEnv } from "./config.ts";

const list = (value: string | undefined) =>
  (value ?? "")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

const RuntimeEnvSchema = z.object({
  tableName: z.string().min(1),
  queueUrl: z.url(),
  queueArn: z.string().default(""),
  eventBusName: z.string().min(1),
  scheduleGroup: z.string().default("default"),
  schedulerRoleArn: z.string().default(""),
  resumeDeadLetterArn: z.string().default(""),
  ledgerAccount: z.string().default(""),
  universeParameterPath: z.string().default(""),
  ledgerTable: z.string().default(""),
  datalake: z.string().default(""),
  symbols: z.array(z.string()),
  denySymbols: z.array(z.string()),
  lookbackDays: z.coerce.number().int().min(1).max(MAX_LOOKBACK_DAYS).default(10),
  /** Coverage mode: `auto` checks a universe larger than the plan's day in rotation, `off` always whole. */
  coverage: z.enum(["auto", "off"]).default("auto"),
  /** The processor's timeout as deployed: the lease and the sweep of lost messages follow it. */
  processorTimeoutSeconds: z.coerce.number().int().min(1).max(900).default(FUNCTIONS.processor.timeoutSeconds),
  retentionDays: z.coerce.number().int().min(1).max(365).default(7),
});

/** What a deployed function (or the local stack) needs to know, read once from the environment. */
export type RuntimeConfig = z.infer<typeof RuntimeEnvSchema> & { provider: ProviderConfig };

export function runtimeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const parsed = RuntimeEnvSchema.safeParse({
    tableName: env[ENV.tableName],
    queueUrl: env[ENV.queueUrl],
    queueArn: env[ENV.queueArn] || undefined,
    eventBusName: env[ENV.eventBusName],
    scheduleGroup: env[ENV.scheduleGroup] || undefined,
    schedulerRoleArn: env[ENV.schedulerRoleArn] || undefined,
    resumeDeadLetterArn: env[ENV.resumeDeadLetterArn] || undefined,
    ledgerAccount: env[ENV.ledgerAccount] || undefined,
    universeParameterPath: env[ENV.universeParameterPath] || undefined,
    ledgerTable: env[ENV.ledgerTable] || undefined,
    datalake: env[ENV.datalake] || undefined,
    symbols: list(env[ENV.symbols]),
    denySymbols: list(env[ENV.denySymbols]),
    lookbackDays: env[ENV.lookbackDays] || undefined,
    coverage: env[ENV.coverage] || undefined,
    processorTimeoutSeconds: env[ENV.processorTimeoutSeconds] || undefined,
    retentionDays: env[ENV.retentionDays] || undefined,
  });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const names: Record<string, string> = ENV;
    const variable = names[String(first?.path[0])] ?? String(first?.path[0]);
    throw new ConfigError(`environment: ${variable}: ${first?.message}`);
  }
  return { ...parsed.data, provider: providerConfigFromEnv(env) };
}
