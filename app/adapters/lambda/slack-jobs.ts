import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { type SlackJob, type SlackJobQueue, slackJobEvent } from "../../slack/jobs.ts";

export interface LambdaSlackJobQueueOptions {
  client: LambdaClient;
  /** The Slack function's own name or ARN (env DQ_SLACK_FUNCTION_NAME, else Lambda's AWS_LAMBDA_FUNCTION_NAME). */
  functionName: string;
}

/** A Slack job could not be handed on: nothing was done. */
export class SlackHandOffError extends Error {
  override name = "SlackHandOffError";
}

/**
 * Hands a Slack job to an asynchronous invocation of the Slack function itself (InvocationType `Event`): Lambda
 * answers 202 once the event is queued, in tens of milliseconds, and the job runs in its own invocation with the
 * function's whole timeout, while the request that made it has long been answered.
 */
export class LambdaSlackJobQueue implements SlackJobQueue {
  readonly #client: LambdaClient;
  readonly #functionName: string;

  constructor(options: LambdaSlackJobQueueOptions) {
    this.#client = options.client;
    this.#functionName = options.functionName;
  }

  async handOff(job: SlackJob): Promise<void> {
    let status: number | undefined;
    try {
      const out = await this.#client.send(
        new InvokeCommand({
          FunctionName: this.#functionName,
          InvocationType: "Event",
          Payload: new TextEncoder().encode(JSON.stringify(slackJobEvent(job))),
        }),
      );
      status = out.StatusCode;
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SlackHandOffError(`cannot invoke ${this.#functionName}: ${reason}`, { cause: error });
    }
    if (status !== 202) throw new SlackHandOffError(`${this.#functionName} answered ${status} instead of 202`);
  }
}
