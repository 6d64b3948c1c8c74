import { z } from "zod";

/**
 * The `detail` of dq's events as the notifier reads them (app/pipeline/finalize.ts writes them). Checked at the
 * boundary; unknown fields are ignored so a newer publisher does not break an older notifier.
 */
const Counters = z.object({
  batchesDone: z.number(),
  batchesFailed: z.number(),
  passed: z.number(),
  failed: z.number(),
  errored: z.number(),
  creditsUsed: z.number().default(0),
  creditsWasted: z.number().default(0),
});

const SessionDetail = z.object({
  schemaVersion: z.number().int(),
  sessionId: z.string().min(1),
  correlationId: z.string().optional(),
  status: z.enum(["running", "completed", "failed", "cancelled"]),
  totals: z.object({ symbols: z.number(), batches: z.number() }),
  counters: Counters,
  creditsUsed: z.number().default(0),
  durationMs: z.number().default(0),
  startedBy: z
    .object({ kind: z.string(), user: z.string().optional(), channel: z.string().optional() })
    .default({ kind: "unknown" }),
  slack: z.object({ channel: z.string().min(1), ts: z.string().min(1) }).optional(),
});

export const ProgressDetailSchema = SessionDetail.extend({
  pausedUntil: z.string().optional(),
  /** Credits a window another consumer of the provider key takes, when one does. */
  takenByOthers: z.number().int().nonnegative().optional(),
});
export type ProgressDetail = z.infer<typeof ProgressDetailSchema>;

export const FailedSymbolSchema = z.object({
  symbol: z.string(),
  status: z.string(),
  issue: z.string().default(""),
});
export type FailedSymbolDetail = z.infer<typeof FailedSymbolSchema>;

/** The universe's coverage after a session over it (app/pipeline/coverage.ts, CoverageFigures). */
export const CoverageFiguresSchema = z.object({
  symbols: z.number().int().nonnegative(),
  rotation: z.number().int().positive(),
  verifiedWithin: z.number().int().nullable(),
  neverChecked: z.number().int().nonnegative(),
  due: z.number().int().nonnegative(),
  failing: z.number().int().nonnegative(),
  errored: z.number().int().nonnegative(),
  overdue: z.number().int().nonnegative(),
  round: z.number().int(),
  at: z.string(),
  lookbackWarning: z.string().optional(),
});

export const WorkflowDetailSchema = SessionDetail.extend({
  failedSymbols: z.array(FailedSymbolSchema).default([]),
  coverage: CoverageFiguresSchema.optional(),
  failureStep: z.string().optional(),
  error: z.string().optional(),
  nextAction: z.string().optional(),
});
export type WorkflowDetail = z.infer<typeof WorkflowDetailSchema>;

/** A CloudWatch alarm state change, as SNS delivers it in `Message`. */
export const AlarmMessageSchema = z.object({
  AlarmName: z.string(),
  AlarmDescription: z.string().nullish(),
  NewStateValue: z.string(),
  OldStateValue: z.string().optional(),
  NewStateReason: z.string().default(""),
  StateChangeTime: z.string().optional(),
  Region: z.string().optional(),
});
export type AlarmMessage = z.infer<typeof AlarmMessageSchema>;
