import { z } from "zod";
import { isTimeZone } from "../../calendar/zoned-time.ts";
import type { Bar } from "../../domain/bar.ts";

/** Numbers arrive as strings ("257.10001"); anything that is not a finite number is refused. */
const finiteNumber = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const value = typeof raw === "number" ? raw : raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) {
    ctx.addIssue({ code: "custom", message: `not a finite number: ${JSON.stringify(raw)}` });
    return z.NEVER;
  }
  return value;
});

const ianaZone = z.string().refine(isTimeZone, { message: "not an IANA time zone" });

/** A daily bar's datetime is the date alone; a time part, if one ever comes, is dropped. */
const ValueSchema = z
  .object({
    datetime: z.string().regex(/^\d{4}-\d{2}-\d{2}(?:$|[ T])/, "expected YYYY-MM-DD"),
    open: finiteNumber,
    high: finiteNumber,
    low: finiteNumber,
    close: finiteNumber,
    volume: finiteNumber.nullish(),
  })
  .transform(
    (v): Bar => ({
      date: v.datetime.slice(0, 10),
      open: v.open,
      high: v.high,
      low: v.low,
      close: v.close,
      volume: v.volume ?? null,
    }),
  );

/**
 * `meta` of an answer. Stocks carry `exchange_timezone`, `exchange`, `mic_code` and `currency`; forex and crypto
 * answers carry none of the first three but `currency_base` and `currency_quote`, and `type` says which they are
 * ("Physical Currency", "Digital Currency").
 */
const MetaSchema = z.looseObject({
  symbol: z.string().optional(),
  exchange_timezone: ianaZone.optional(),
  exchange: z.string().optional(),
  mic_code: z.string().optional(),
  currency: z.string().optional(),
  currency_base: z.string().optional(),
  currency_quote: z.string().optional(),
  type: z.string().optional(),
});
export type SeriesMeta = z.infer<typeof MetaSchema>;

export const SeriesAnswerSchema = z.object({
  meta: MetaSchema,
  values: z.array(ValueSchema),
  status: z.literal("ok"),
});
export type SeriesAnswer = z.infer<typeof SeriesAnswerSchema>;

export const ErrorAnswerSchema = z.looseObject({
  status: z.literal("error"),
  code: z.coerce.number().int(),
  message: z.string().default(""),
});
export type ErrorAnswer = z.infer<typeof ErrorAnswerSchema>;

/** The parts of a zod failure worth a log line, without echoing a whole answer back. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues
    .slice(0, max)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  return error.issues.length > max ? `${shown}; and ${error.issues.length - max} more` : shown;
}
