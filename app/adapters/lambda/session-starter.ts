import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from "@aws-sdk/client-lambda";
import { z } from "zod";
import { UserFacingError } from "../../domain/errors.ts";
import type { StartInput } from "../../pipeline/start-session.ts";
import type { SessionStarter, StartOutcome } from "../../slack/ports.ts";

export interface LambdaSessionStarterOptions {
  client: LambdaClient;
  /** The coordinator's name or ARN (env DQ_COORDINATOR_ARN). */
  functionName: string;
  /**
   * How long to wait for the coordinator's answer. Past it the start goes on without an answer (`pending`): the
   * invocation is not withdrawn, and the session's messages show in the channel. @default 20_000
   */
  timeoutMs?: number;
}

/**
 * The coordinator could not be invoked, or failed: nothing may have started. The message says what to do and
 * nothing internal (it is shown in Slack); the function and the SDK's error are fields and the cause, for the log.
 */
export class SessionStartError extends UserFacingError {
  override name = "SessionStartError";
  readonly functionName: string;
  readonly reason: string;
  constructor(functionName: string, reason: string, options?: ErrorOptions) {
    super(
      `dq's coordinator ${reason}, so the session may not have started. Try again in a minute; if it keeps failing, ask a dq admin to check the coordinator's logs.`,
      options,
    );
    this.functionName = functionName;
    this.reason = reason;
  }
}

/** What the coordinator answers (app/handlers/coordinator.ts): a session, or a rejection. */
const CoordinatorAnswer = z.union([
  z.object({
    status: z.enum(["initiated", "duplicate"]),
    sessionId: z.string(),
    totalSymbols: z.number(),
    estimatedDurationMinutes: z.number(),
  }),
  z.object({ status: z.literal("rejected"), error: z.string() }),
]);

/**
 * Starts a session by invoking the coordinator and waiting for its answer (InvocationType `RequestResponse`).
 * Called only from the Slack function's asynchronous work, which has the time: so a start the coordinator refuses
 * (bad input, an empty universe) is known and shown, instead of a live message that says "Starting…" forever. A
 * retried start is harmless: the input's idempotency key maps to the same session.
 */
export class LambdaSessionStarter implements SessionStarter {
  readonly #client: LambdaClient;
  readonly #functionName: string;
  readonly #timeoutMs: number;

  constructor(options: LambdaSessionStarterOptions) {
    this.#client = options.client;
    this.#functionName = options.functionName;
    this.#timeoutMs = options.timeoutMs ?? 20_000;
  }

  async start(input: StartInput): Promise<StartOutcome> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let out: InvokeCommandOutput;
    try {
      out = await this.#client.send(
        new InvokeCommand({
          FunctionName: this.#functionName,
          InvocationType: "RequestResponse",
          Payload: new TextEncoder().encode(JSON.stringify(input)),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (signal.aborted) return { status: "pending" };
      throw new SessionStartError(this.#functionName, refusalOf(error), { cause: error });
    }
    const payload = out.Payload ? new TextDecoder().decode(out.Payload) : "";
    if (out.FunctionError)
      throw new SessionStartError(this.#functionName, "failed", {
        cause: new Error(`${out.FunctionError}: ${payload.slice(0, 1000)}`),
      });
    const answer = CoordinatorAnswer.safeParse(safeJson(payload));
    if (!answer.success)
      throw new SessionStartError(this.#functionName, "gave an answer dq does not understand", {
        cause: new Error(`status ${out.StatusCode}: ${payload.slice(0, 1000)}`),
      });
    if (answer.data.status === "rejected") return { status: "rejected", reason: answer.data.error };
    return answer.data;
  }
}

/** Why Lambda refused the invocation, in words for the person who asked. */
function refusalOf(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  if (name === "TooManyRequestsException" || name === "ThrottlingException") return "is busy (throttled)";
  if (name === "ResourceNotFoundException") return "was not found";
  if (name === "AccessDeniedException") return "may not be called by dq's Slack app";
  return "could not be reached";
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
