import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, MAX_LOOKBACK_DAYS, providerConfig } from "../app/config/config.ts";
import { isValidSymbol } from "../app/domain/symbol.ts";
import { FUNCTIONS, type FunctionName, SCHEDULE } from "../app/wiring.ts";
import { readStackProfile, type StackProfile } from "./profile.ts";

/** Stack configuration that is missing or malformed. The message names every offending `dq:` key. */
export class StackConfigError extends Error {
  override name = "StackConfigError";
  /** The Pulumi stack (`stack` is the error's own trace). */
  readonly stackName: string;
  readonly issues: readonly string[];
  constructor(stackName: string, issues: readonly string[], options?: { cause?: unknown }) {
    super(`stack ${stackName}: invalid config: ${issues.join("; ")}`, options);
    this.stackName = stackName;
    this.issues = issues;
  }
}

/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const integer = (min: number, max: number) => z.number().int().min(min).max(max);
/** A key that may be left out or set to "" (a stack file cannot unset a key that has a value). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());
const slackId = z.string().regex(/^[A-Z0-9]+$/, "expected a Slack ID such as U0123ABCD or C0123ABCD");
const symbol = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .refine(isValidSymbol, "expected a ticker such as AAPL or BRK.B");
const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "expected an IANA time zone such as UTC or America/New_York");
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
const scheduleExpression = z
  .string()
  .regex(
    /^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/,
    "expected an EventBridge Scheduler expression: cron(min hour day-of-month month day-of-week year) or rate(n unit)",
  );

type FunctionSizeKey = `${FunctionName}MemoryMb` | `${FunctionName}TimeoutSeconds`;
const functionSizeShape = Object.fromEntries(
  Object.entries(FUNCTIONS).flatMap(([name, f]) => [
    [`${name}MemoryMb`, integer(128, 10_240).default(f.memoryMb)],
    [`${name}TimeoutSeconds`, integer(1, 900).default(f.timeoutSeconds)],
  ]),
) as Record<FunctionSizeKey, z.ZodDefault<z.ZodNumber>>;

/**
 * Every non-secret `dq:` key, with its default. Pulumi.yaml declares the same keys and defaults (a test holds
 * them together), Pulumi.dev.yaml sets them and docs/deploy.md explains them.
 */
export const StackConfigSchema = z.object({
  twelveDataBaseUrl: z.url().default("https://api.twelvedata.com"),
  creditsPerMinute: integer(1, 100_000).default(8),
  /** 0: no daily cap (paid plans). */
  creditsPerDay: integer(0, 10_000_000).default(800),
  /** 0: min(creditsPerMinute, 8). */
  batchSize: integer(0, 120).default(0),
  /** s3://bucket/prefix/{symbol}/daily.parquet */
  datalake: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[^{]*\{symbol\}/, "expected s3://bucket/prefix/{symbol}/..."),
  /** Empty: every symbol the datalake lists. */
  symbols: z.array(symbol).default([]),
  denySymbols: z.array(symbol).default([]),
  lookbackDays: integer(5, MAX_LOOKBACK_DAYS).default(30),
  retentionDays: integer(1, 400).default(7),
  /** How long a report link opens its page; pages are kept 30 days (infra/reports.ts). */
  reportLinkDays: integer(1, 30).default(7),
  scheduleCron: scheduleExpression.default(SCHEDULE.defaultCron),
  scheduleTimezone: timezone.default(SCHEDULE.defaultTimezone),
  scheduleEnabled: z.boolean().default(true),
  ...functionSizeShape,
  /** Lambda's SQS event source allows 2 to 1000. */
  processorMaxConcurrency: integer(2, 1000).default(5),
  /** Concurrency reserved for (and capping) the public Slack function; 0 for none. */
  slackReservedConcurrency: integer(0, 1000).default(5),
  logRetentionDays: z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `expected one of ${LOG_RETENTION_DAYS}`)
    .default(30),
  slackChannel: slackId,
  slackAllowedUsers: z.array(slackId).default([]),
  slackAllowedChannels: z.array(slackId).default([]),
  slackAdmins: z.array(slackId).default([]),
  /** Mentioned on a failed session: a user group (S…) or a user (U…) ID; empty: nobody. */
  slackOncall: z
    .string()
    .regex(/^([SUW][A-Z0-9]{2,31})?$/, "expected a user group ID such as S0123ABCD or a user ID such as U0123ABCD")
    .default(""),
  /** all: every summary; failures: a scheduled session that passes posts nothing. */
  slackNotify: z.enum(["all", "failures"]).default("all"),
  /** HH:MM-HH:MM [Area/City]: summaries still post, without the mention; empty: no quiet hours. */
  slackQuietHours: z
    .string()
    .regex(
      /^((([01]?\d|2[0-3]):[0-5]\d)-(([01]?\d|2[0-3]):[0-5]\d)( [A-Za-z0-9_+\-/]+)?)?$/,
      "expected HH:MM-HH:MM and an IANA time zone, e.g. 22:00-07:00 Europe/London",
    )
    .refine((v) => v === "" || isTimeZone(v.split(" ")[1] ?? "UTC"), "expected an IANA time zone such as Europe/London")
    .default(""),
  /** The summary's "Open report" link, with {session}; empty: no link. */
  slackReportUrl: z
    .string()
    .regex(/^(https:\/\/\S*\{session\}\S*)?$/, "expected an https URL with {session} in it")
    .default(""),
  /** The bot's user ID (U…) and bot ID (B…), as Slack's auth.test answers them; empty: not given. */
  slackBotUserId: z
    .string()
    .regex(/^(U[A-Z0-9]{2,31})?$/, "expected the bot's user ID, U…")
    .default(""),
  slackBotId: z
    .string()
    .regex(/^(B[A-Z0-9]{2,31})?$/, "expected the bot's ID, B…")
    .default(""),
  alarmProcessorErrors: integer(1, 10_000).default(1),
  alarmDeadLetterMessages: integer(1, 10_000).default(1),
  /** Alarms also go here, by email, so they reach a person when the notifier or Slack is broken. */
  alarmEmail: optional(z.email("expected an email address such as oncall@example.com")),
  /** Alarms also go to this SNS topic of yours (a pager, a chat bridge), same reason. */
  alarmTopicArn: optional(
    z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/, "expected an SNS topic ARN"),
  ),
  /**
   * The datalake profile (dq.config.yaml's schema), a path relative to the project; empty: dq.config.yaml when the
   * project has one, else the defaults. Read and validated at deploy time, and passed to the functions.
   */
  profile: z.string().default(""),
  /** Deletion protection. Always on for the stack named prod. */
  protect: z.boolean().default(false),
  /**
   * The table of the stack whose provider key (and so credit ledger) this stack shares, in the same account and
   * region; empty: this stack's key is its own, and its table holds the ledger.
   */
  ledgerTable: z
    .string()
    .regex(/^([a-zA-Z0-9_.-]{3,255})?$/, "expected a DynamoDB table name such as dq-prod-table")
    .default(""),
});
export type ConfigKey = keyof typeof StackConfigSchema.shape;

export const ConfigKind = { string: "string", integer: "integer", boolean: "boolean", array: "array" } as const;
export type ConfigKind = (typeof ConfigKind)[keyof typeof ConfigKind];

/** How each key is read from Pulumi config, and the type Pulumi.yaml declares for it. */
export const CONFIG_KEYS: Record<ConfigKey, ConfigKind> = {
  twelveDataBaseUrl: "string",
  creditsPerMinute: "integer",
  creditsPerDay: "integer",
  batchSize: "integer",
  datalake: "string",
  symbols: "array",
  denySymbols: "array",
  lookbackDays: "integer",
  retentionDays: "integer",
  reportLinkDays: "integer",
  scheduleCron: "string",
  scheduleTimezone: "string",
  scheduleEnabled: "boolean",
  ...(Object.fromEntries(Object.keys(functionSizeShape).map((k) => [k, "integer"])) as Record<
    FunctionSizeKey,
    ConfigKind
  >),
  processorMaxConcurrency: "integer",
  slackReservedConcurrency: "integer",
  logRetentionDays: "integer",
  slackChannel: "string",
  slackAllowedUsers: "array",
  slackAllowedChannels: "array",
  slackAdmins: "array",
  slackOncall: "string",
  slackNotify: "string",
  slackQuietHours: "string",
  slackReportUrl: "string",
  slackBotUserId: "string",
  slackBotId: "string",
  alarmProcessorErrors: "integer",
  alarmDeadLetterMessages: "integer",
  alarmEmail: "string",
  alarmTopicArn: "string",
  profile: "string",
  protect: "boolean",
  ledgerTable: "string",
};

/** Set with `pulumi config set --secret`; they reach SSM SecureString parameters, never an environment. */
export const SECRET_KEYS = ["twelveDataApiKey", "slackBotToken", "slackSigningSecret"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export interface DatalakeLocation {
  uri: string;
  bucket: string;
  /** The fixed part of the object keys before the first placeholder, e.g. `prefix/`; "" for the whole bucket. */
  keyPrefix: string;
}

export interface FunctionSize {
  memoryMb: number;
  timeoutSeconds: number;
}

/** The validated, typed settings of one stack, without its secrets. */
export interface StackSettings {
  stack: string;
  provider: { baseUrl: string; creditsPerMinute: number; creditsPerDay: number | null; batchSize: number };
  datalake: DatalakeLocation;
  universe: { symbols: string[]; deny: string[] };
  lookbackDays: number;
  retentionDays: number;
  reportLinkDays: number;
  schedule: { expression: string; timezone: string; enabled: boolean };
  functions: Record<FunctionName, FunctionSize>;
  processorMaxConcurrency: number;
  /** null: no reservation. */
  slackReservedConcurrency: number | null;
  logRetentionDays: number;
  slack: {
    channel: string;
    allowedUsers: string[];
    allowedChannels: string[];
    admins: string[];
    /** How summaries notify ("" where unset): see StackConfigSchema. */
    oncall: string;
    notify: "all" | "failures";
    quietHours: string;
    reportUrl: string;
    botUserId: string;
    botId: string;
  };
  alarms: {
    processorErrors: number;
    deadLetterMessages: number;
    /** Where alarms go besides Slack; at least one of the two. */
    email?: string;
    topicArn?: string;
  };
  /** `dq:profile` as set: the profile's path relative to the project; "" for dq.config.yaml or the defaults. */
  profileFile: string;
  protect: boolean;
  /** Another stack's table whose credit ledger this stack shares; null when its own table holds it. */
  ledgerTable: string | null;
}

export interface StackConfig extends StackSettings {
  /** `aws:region`: where the stack is deployed. */
  region: string;
  secrets: Record<SecretKey, pulumi.Output<string>>;
  /** The datalake profile, read and validated from `profileFile`. */
  profile: StackProfile;
}

/** Validates raw config values (as Pulumi's typed getters return them) into the stack's settings. */
export function parseStackSettings(raw: Record<string, unknown>, stack: string): StackSettings {
  const parsed = StackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StackConfigError(
      stack,
      parsed.error.issues.map((i) => `dq:${i.path.join(".")}: ${i.message}`),
    );
  }
  const c = parsed.data;
  if (c.ledgerTable === `dq-${stack}-table`) {
    throw new StackConfigError(stack, [
      "dq:ledgerTable: names this stack's own table; leave it empty unless the ledger is another stack's",
    ]);
  }
  if (c.alarmEmail === undefined && c.alarmTopicArn === undefined) {
    throw new StackConfigError(stack, [
      "dq:alarmEmail or dq:alarmTopicArn: set at least one, so alarms reach a person even when the notifier or Slack is broken",
    ]);
  }
  let provider: ReturnType<typeof providerConfig>;
  try {
    provider = providerConfig({
      baseUrl: c.twelveDataBaseUrl,
      creditsPerMinute: c.creditsPerMinute,
      creditsPerDay: c.creditsPerDay === 0 ? null : c.creditsPerDay,
      batchSize: c.batchSize === 0 ? undefined : c.batchSize,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new StackConfigError(stack, [error.message], { cause: error });
  }
  const functions = Object.fromEntries(
    (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => [
      name,
      { memoryMb: c[`${name}MemoryMb`], timeoutSeconds: c[`${name}TimeoutSeconds`] },
    ]),
  ) as Record<FunctionName, FunctionSize>;
  return {
    stack,
    provider: {
      baseUrl: provider.baseUrl,
      creditsPerMinute: provider.creditsPerMinute,
      creditsPerDay: provider.creditsPerDay,
      batchSize: provider.batchSize,
    },
    datalake: datalakeLocation(c.datalake),
    universe: { symbols: c.symbols, deny: c.denySymbols },
    lookbackDays: c.lookbackDays,
    retentionDays: c.retentionDays,
    reportLinkDays: c.reportLinkDays,
    schedule: { expression: c.scheduleCron, timezone: c.scheduleTimezone, enabled: c.scheduleEnabled },
    functions,
    processorMaxConcurrency: c.processorMaxConcurrency,
    slackReservedConcurrency: c.slackReservedConcurrency === 0 ? null : c.slackReservedConcurrency,
    logRetentionDays: c.logRetentionDays,
    slack: {
      channel: c.slackChannel,
      allowedUsers: c.slackAllowedUsers,
      allowedChannels: c.slackAllowedChannels,
      admins: c.slackAdmins,
      oncall: c.slackOncall,
      notify: c.slackNotify,
      quietHours: c.slackQuietHours,
      reportUrl: c.slackReportUrl,
      botUserId: c.slackBotUserId,
      botId: c.slackBotId,
    },
    alarms: {
      processorErrors: c.alarmProcessorErrors,
      deadLetterMessages: c.alarmDeadLetterMessages,
      ...(c.alarmEmail === undefined ? {} : { email: c.alarmEmail }),
      ...(c.alarmTopicArn === undefined ? {} : { topicArn: c.alarmTopicArn }),
    },
    profileFile: c.profile,
    // A prod stack that forgot the flag must still be hard to destroy by accident.
    protect: c.protect || stack === "prod",
    ledgerTable: c.ledgerTable === "" ? null : c.ledgerTable,
  };
}

function datalakeLocation(uri: string): DatalakeLocation {
  const rest = uri.slice("s3://".length);
  const slash = rest.indexOf("/");
  const keyTemplate = rest.slice(slash + 1);
  const fixed = keyTemplate.slice(0, keyTemplate.indexOf("{"));
  return { uri, bucket: rest.slice(0, slash), keyPrefix: fixed.slice(0, fixed.lastIndexOf("/") + 1) };
}

/**
 * Reads every `dq:` key of the current stack and its `aws:region`, and validates them, and the datalake profile
 * `dq:profile` names (relative to `projectDir`); secrets stay Pulumi secrets.
 */
export function loadStackConfig(
  config = new pulumi.Config(),
  stack = pulumi.getStack(),
  awsConfig = new pulumi.Config("aws"),
  // Where Pulumi.yaml is (the working directory where the runtime does not say, as under its test mocks).
  projectDir = pulumi.runtime.getRootDirectory() || process.cwd(),
): StackConfig {
  const raw: Record<string, unknown> = {};
  const typeErrors: string[] = [];
  const region = awsConfig.get("region");
  if (!region) typeErrors.push("aws:region: set the region to deploy into (pulumi config set aws:region eu-west-1)");
  for (const [key, kind] of Object.entries(CONFIG_KEYS)) {
    try {
      raw[key] = readKey(config, key, kind);
    } catch (error) {
      typeErrors.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (typeErrors.length > 0) throw new StackConfigError(stack, typeErrors);
  const settings = parseStackSettings(raw, stack);
  const secrets = Object.fromEntries(SECRET_KEYS.map((key) => [key, config.requireSecret(key)])) as Record<
    SecretKey,
    pulumi.Output<string>
  >;
  let profile: StackProfile;
  try {
    profile = readStackProfile(settings.profileFile, projectDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new StackConfigError(stack, [`dq:profile: ${error.message}`], { cause: error });
  }
  return { ...settings, region: region as string, secrets, profile };
}

function readKey(config: pulumi.Config, key: string, kind: ConfigKind): unknown {
  switch (kind) {
    case "string":
      return config.get(key);
    case "integer":
      return config.getNumber(key);
    case "boolean":
      return config.getBoolean(key);
    case "array":
      return config.getObject<unknown>(key);
  }
}
