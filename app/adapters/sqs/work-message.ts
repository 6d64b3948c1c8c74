import { z } from "zod";
import type { WorkMessage } from "../../pipeline/ports.ts";

const count = z.number().int().nonnegative();

/** The work queue's message body. Unknown fields are dropped, so an older worker reads a newer message. */
export const WorkMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("batch"),
    sessionId: z.string().min(1),
    batch: count,
    attempt: count,
    slotStart: count,
    credits: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal("pump"), sessionId: z.string().min(1), at: count.optional() }),
]);

/** A message body that is not JSON or not a work message: logged and dropped, never retried. */
export class InvalidMessageError extends Error {
  override name = "InvalidMessageError";
  /** The start of the body, for the log. */
  readonly bodyPreview: string;
  constructor(body: string, reason: string, options?: ErrorOptions) {
    super(`invalid work message: ${reason.replace(/\s+/g, " ").trim()}`, options);
    this.bodyPreview = body.slice(0, 200);
  }
}

export function parseWorkMessage(body: string): WorkMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidMessageError(body, "body is not JSON", { cause: error });
  }
  const parsed = WorkMessageSchema.safeParse(json);
  if (!parsed.success) throw new InvalidMessageError(body, z.prettifyError(parsed.error), { cause: parsed.error });
  return parsed.data;
}
