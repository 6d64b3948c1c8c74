import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { UserFacingError } from "../../domain/errors.ts";
import type { StartInput } from "../../pipeline/start-session.ts";
import type { SessionStarter } from "../../slack/ports.ts";

export interface LambdaSessionStarterOptions {
  client: LambdaClient;
  /** The coordinator's name or ARN (env DQ_COORDINATOR_ARN). */
  functionName: string;
}

/** The coordinator could not be invoked: nothing was started. */
export class SessionStartError extends UserFacingError {
  override name = "SessionStartError";
  readonly functionName: string;
  constructor(functionName: string, reason: string, options?: ErrorOptions) {
    super(`cannot hand the session start to ${functionName}: ${reason}`, options);
    this.functionName = functionName;
  }
}

/**
 * Starts a session through an asynchronous invocation of the coordinator (InvocationType `Event`): Lambda answers
 * 202 once the event is queued, so the caller never waits for the session. Lambda retries a failed start itself,
 * and the input's idempotency key keeps a retried start from creating a second session.
 */
export class LambdaSessionStarter implements SessionStarter {
  readonly #client: LambdaClient;
  readonly #functionName: string;

  constructor(options: LambdaSessionStarterOptions) {
    this.#client = options.client;
    this.#functionName = options.functionName;
  }

  async start(input: StartInput): Promise<void> {
    let status: number | undefined;
    try {
      const out = await this.#client.send(
        new InvokeCommand({
          FunctionName: this.#functionName,
          InvocationType: "Event",
          Payload: new TextEncoder().encode(JSON.stringify(input)),
        }),
      );
      status = out.StatusCode;
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SessionStartError(this.#functionName, reason, { cause: error });
    }
    if (status !== 202) throw new SessionStartError(this.#functionName, `Lambda answered ${status} instead of 202`);
  }
}
