import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { WorkMessage, WorkQueue } from "../../pipeline/ports.ts";
import { QUEUE } from "../../wiring.ts";

export interface SqsWorkQueueOptions {
  client: SQSClient;
  queueUrl: string;
}

/** A message the queue did not accept. The SDK has already retried; the caller decides what to do next. */
export class WorkQueueError extends Error {
  override name = "WorkQueueError";
  readonly queueUrl: string;
  readonly messageType: WorkMessage["type"];
  readonly sessionId: string;
  constructor(queueUrl: string, message: WorkMessage, options?: ErrorOptions) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.name}: ${options.cause.message}` : "";
    super(`cannot send ${message.type} message of session ${message.sessionId} to ${queueUrl}${reason}`, options);
    this.queueUrl = queueUrl;
    this.messageType = message.type;
    this.sessionId = message.sessionId;
  }
}

/** The SQS work queue: delayed JSON messages. */
export class SqsWorkQueue implements WorkQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: SqsWorkQueueOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async send(message: WorkMessage, delaySeconds: number): Promise<void> {
    try {
      await this.#client.send(
        new SendMessageCommand({
          QueueUrl: this.#queueUrl,
          MessageBody: JSON.stringify(message),
          DelaySeconds: clampDelay(delaySeconds),
        }),
      );
    } catch (error) {
      throw new WorkQueueError(this.#queueUrl, message, { cause: error });
    }
  }
}

/**
 * Whole seconds in [0, 900], SQS's range. Rounded up: a batch message must not arrive before its credit slot
 * starts, while a second late costs nothing.
 */
export function clampDelay(delaySeconds: number): number {
  if (!Number.isFinite(delaySeconds)) return delaySeconds > 0 ? QUEUE.delayHorizonSeconds : 0;
  return Math.min(QUEUE.delayHorizonSeconds, Math.max(0, Math.ceil(delaySeconds)));
}
