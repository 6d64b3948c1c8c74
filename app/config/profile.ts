import { z } from "zod";
import { isTimeZone } from "../calendar/zoned-time.ts";
import { isValidSymbol } from "../domain/symbol.ts";
import { CheckCode, type Severity } from "../quality/types.ts";

/**
 * The datalake profile: everything about a datalake and its market data that an operator sets once, in one file
 * (`dq.config.yaml`) that the CLI, the local stack and the deployed functions all read. Every key is optional; an
 * empty profile is the defaults. Unknown keys are refused, so a typo is an error rather than a silent default.
 */

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

const ianaZone = z.string().refine(isTimeZone, { error: "not an IANA time zone" });

const symbol = z.string().refine(isValidSymbol, { error: (issue) => `invalid symbol ${JSON.stringify(issue.input)}` });
const percent = z.number().min(0).max(100);

/** `off` disables a check; a severity enables it with that severity; `on` enables it with its own. */
const CheckSetting = z.enum(["off", "on", "error", "warning", "info"]);

const MarketSchema = z.strictObject({
  /** Local close, HH:MM (24:00 for a day that ends at midnight). */
  close: z.string().regex(HHMM, "expected HH:MM or 24:00").optional(),
  /** Minutes after the close before the day's bar is final. */
  settleMinutes: z.number().int().min(0).max(1440).optional(),
  timezone: ianaZone.optional(),
  /** Weekdays the market is closed every week. */
  weekend: z.array(z.enum(WEEKDAYS)).optional(),
  /** Closed dates, for an exchange whose holidays dq does not know. */
  holidays: z.array(z.iso.date()).optional(),
});

export const ProfileSchema = z.strictObject({
  /** The datalake's adjustment convention, sent to the provider as `adjust` so both sides mean the same prices. */
  adjust: z.enum(["none", "splits", "all"]).default("splits"),
  datalake: z
    .strictObject({
      /** Default URI template (`--datalake` and DQ_DATALAKE win). */
      uri: z.string().includes("{symbol}", { error: "must contain {symbol}" }).optional(),
      /** Column names; each defaults to the usual names (date|timestamp|datetime|time|t, open|o, ...). */
      columns: z
        .strictObject({
          date: z.string().min(1).optional(),
          open: z.string().min(1).optional(),
          high: z.string().min(1).optional(),
          low: z.string().min(1).optional(),
          close: z.string().min(1).optional(),
          volume: z.string().min(1).optional(),
        })
        .default({}),
      /** How a bare instant (epoch, `...Z`) becomes a session date: auto, utc, exchange, or an IANA zone. */
      instants: z.union([z.enum(["auto", "utc", "exchange"]), ianaZone]).default("auto"),
      /** Provider symbol -> datalake symbol (`BRK/B: BRK-B`). */
      aliases: z.record(symbol, symbol).default({}),
    })
    .default({ columns: {}, instants: "auto", aliases: {} }),
  tolerances: z
    .strictObject({
      closePct: percent.optional(),
      openHighLowPct: percent.optional(),
      volumePct: z.number().min(0).optional(),
      outlierReturnPct: z.number().min(0).optional(),
      adjustmentRatioSpreadPct: percent.optional(),
      priceTicks: z.number().min(0).optional(),
      ohlcEpsilonPct: percent.optional(),
    })
    .default({}),
  /** The price tick for `tolerances.priceTicks`. Default: 0.01 for equities, none for forex and crypto. */
  tickSize: z.number().min(0).optional(),
  /** Local close of an exchange dq does not know. */
  sessionClose: z.string().regex(HHMM, "expected HH:MM").optional(),
  settleMinutes: z.number().int().min(0).max(1440).optional(),
  /** Per exchange: keyed by MIC (XETR), exchange name (LSE), `forex`, `crypto` or `default`. */
  markets: z.record(z.string().min(1), MarketSchema).default({}),
  /** Per check code: off, on, error, warning or info. */
  checks: z.partialRecord(z.enum(Object.values(CheckCode) as [CheckCode, ...CheckCode[]]), CheckSetting).default({}),
  /**
   * The periodic deep check: the scheduled session whose as-of falls on `weekday` (UTC) looks back `lookbackDays`
   * instead of the daily lookback, for the same credits, so a split older than the daily window is still caught.
   */
  deepCheck: z
    .strictObject({
      // Sunday: no daily session runs (TUE-SAT), so the deep check never doubles a day's sessions or credits.
      weekday: z.enum(WEEKDAYS).default("sunday"),
      lookbackDays: z.number().int().min(1).max(366).default(366),
    })
    .optional(),
});

export type Profile = z.output<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;
export type CheckSetting = z.output<typeof CheckSetting>;
export const WEEKDAY_NAMES = WEEKDAYS;

export const DEFAULT_PROFILE: Profile = ProfileSchema.parse({});

export function isSeverity(setting: CheckSetting): setting is Severity {
  return setting === "error" || setting === "warning" || setting === "info";
}
