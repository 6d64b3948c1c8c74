import type { MarketOverride } from "../calendar/markets.ts";
import type { PartialCheckOptions } from "../quality/options.ts";
import { DEFAULT_ENABLED_CHECKS } from "../quality/options.ts";
import type { CheckCode, Severity } from "../quality/types.ts";
import { type CheckSetting, isSeverity, type Profile, WEEKDAY_NAMES } from "./profile.ts";

/** What each part of dq takes from the profile: the datalake reader, the provider client, the check engine. */
export interface ProfileSettings {
  /** For createDatalake: column names (date, open, high, low, close, volume), aliases, the instant rule. */
  datalake: {
    columns: Partial<Record<"date" | "open" | "high" | "low" | "close" | "volume", string>>;
    aliases: Record<string, string>;
    instants: string;
  };
  /** For the Twelve Data client: the datalake's adjustment convention. */
  provider: { adjust: Profile["adjust"] };
  checkOptions: PartialCheckOptions;
}

export function profileSettings(profile: Profile): ProfileSettings {
  const enabled = new Set<CheckCode>(DEFAULT_ENABLED_CHECKS);
  const severities: Partial<Record<CheckCode, Severity>> = {};
  for (const [code, setting] of Object.entries(profile.checks) as [CheckCode, CheckSetting][]) {
    if (setting === "off") enabled.delete(code);
    else enabled.add(code);
    if (isSeverity(setting)) severities[code] = setting;
  }
  const markets: Record<string, MarketOverride> = {};
  for (const [key, market] of Object.entries(profile.markets)) {
    markets[key] = {
      ...(market.close === undefined ? {} : { close: market.close }),
      ...(market.settleMinutes === undefined ? {} : { settleMinutes: market.settleMinutes }),
      ...(market.timezone === undefined ? {} : { timezone: market.timezone }),
      ...(market.weekend === undefined ? {} : { weekend: market.weekend.map((day) => WEEKDAY_NAMES.indexOf(day)) }),
      ...(market.holidays === undefined ? {} : { holidays: market.holidays }),
    };
  }
  const checkOptions: PartialCheckOptions = {
    tolerances: profile.tolerances,
    enabled,
    severities,
    markets,
    ...(profile.tickSize === undefined ? {} : { tickSize: profile.tickSize }),
    ...(profile.sessionClose === undefined ? {} : { sessionClose: profile.sessionClose }),
    ...(profile.settleMinutes === undefined ? {} : { settleMinutes: profile.settleMinutes }),
  };
  const { columns, aliases, instants } = profile.datalake;
  return { datalake: { columns, aliases, instants }, provider: { adjust: profile.adjust }, checkOptions };
}

/**
 * The coordinator input a weekly EventBridge Scheduler schedule sends for the deep check: the same start as the
 * daily one, with the deep lookback and its own idempotency key. Undefined when the profile has no deep check.
 */
export function deepCheckSchedule(profile: Profile): { cron: string; input: Record<string, unknown> } | undefined {
  const deep = profile.deepCheck;
  if (deep === undefined) return undefined;
  // The day after the weekday's US session, at the daily schedule's time (04:30 UTC).
  const day = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"][WEEKDAY_NAMES.indexOf(deep.weekday)];
  return {
    cron: `cron(30 4 ? * ${day} *)`,
    input: {
      startedBy: { kind: "schedule" },
      lookbackDays: deep.lookbackDays,
      idempotencyKey: "deep-<aws.scheduler.scheduled-time>",
    },
  };
}

/** The deep check's schedule, beside the daily one (`dq-<stack>-daily`) in the stack's schedule group. */
export function deepCheckScheduleName(stack: string): string {
  return `dq-${stack}-deep-check`;
}
