import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import { type FunctionName, QUEUE } from "../../app/wiring.ts";
import { LOCAL_REGION } from "./env.ts";
import { lambdaContext } from "./lambda-context.ts";

/** A Lambda SQS handler: answers an SQSBatchResponse (ReportBatchItemFailures) or nothing. */
export type SqsEventHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | unknown>;

export interface EventSourcePollerOptions {
  client: SQSClient;
  /** Loopback queue URL (see toLoopbackQueueUrl). */
  queueUrl: string;
  /** @default derived from the queue URL: arn:aws:sqs:<region>:<account>:<name> */
  queueArn?: string;
  handler: SqsEventHandler;
  /** The function the mapping invokes, for its Lambda context. @default "processor" */
  functionName?: FunctionName;
  /** Messages per invocation. @default QUEUE.batchSize */
  batchSize?: number;
  /** Handler invocations at once, as the mapping's ScalingConfig.MaximumConcurrency. @default 5 */
  maxConcurrency?: number;
  /** Whole seconds a received message stays hidden; small values scale time in tests. @default the queue's own */
  visibilityTimeoutSeconds?: number;
  /** Long-poll wait per receive. @default 1 */
  waitTimeSeconds?: number;
  /** FunctionResponseTypes: ReportBatchItemFailures, as the wiring sets it. @default true */
  reportBatchItemFailures?: boolean;
  /** Errors of the poller itself (receive, delete) and of handlers that throw. @default nothing */
  onError?: (error: unknown) => void;
  /** @default "local" */
  stack?: string;
}

export interface PollerStats {
  /** Handler invocations, finished or not. */
  invocations: number;
  /** Invocations that threw or answered an invalid batch response: their whole batch stays on the queue. */
  failedInvocations: number;
  /** Records a handler listed in batchItemFailures. */
  itemFailures: number;
  /** Messages deleted after a successful invocation. */
  deleted: number;
  inFlight: number;
  /** ReceiveMessage requests sent (each a billed SQS request on AWS), and how many of them came back empty. */
  receives: number;
  emptyReceives: number;
  /** DeleteMessageBatch requests sent. */
  deleteRequests: number;
}

/**
 * Lambda's SQS event source mapping on the local stack: polls a queue, invokes the handler with real SQS event
 * records, deletes what succeeded and leaves the rest to reappear after the visibility timeout. A handler that
 * throws fails its whole batch. Redrive to the DLQ is the queue's (fauxqs applies the RedrivePolicy on receive).
 */
export class EventSourcePoller {
  readonly #options: EventSourcePollerOptions;
  readonly #queueArn: string;
  readonly #functionName: FunctionName;
  readonly #batchSize: number;
  readonly #maxConcurrency: number;
  readonly #onError: (error: unknown) => void;
  readonly #abort = new AbortController();
  readonly #stats: PollerStats = {
    invocations: 0,
    failedInvocations: 0,
    itemFailures: 0,
    deleted: 0,
    inFlight: 0,
    receives: 0,
    emptyReceives: 0,
    deleteRequests: 0,
  };
  #workers: Promise<void>[] = [];
  #stopping = false;

  constructor(options: EventSourcePollerOptions) {
    this.#options = options;
    this.#queueArn = options.queueArn ?? queueArnFromUrl(options.queueUrl);
    this.#functionName = options.functionName ?? "processor";
    this.#batchSize = options.batchSize ?? QUEUE.batchSize;
    this.#maxConcurrency = options.maxConcurrency ?? 5;
    this.#onError = options.onError ?? (() => {});
  }

  /** Starts one poller per allowed concurrent invocation. Idempotent. */
  start(): this {
    if (this.#workers.length > 0 || this.#stopping) return this;
    for (let i = 0; i < this.#maxConcurrency; i++) this.#workers.push(this.#poll());
    return this;
  }

  /** Stops receiving and resolves once every in-flight invocation has finished and been acknowledged. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    await Promise.all(this.#workers);
  }

  stats(): PollerStats {
    return { ...this.#stats };
  }

  async #poll(): Promise<void> {
    while (!this.#stopping) {
      let messages: Message[];
      try {
        this.#stats.receives++;
        const received = await this.#options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.#options.queueUrl,
            MaxNumberOfMessages: this.#batchSize,
            WaitTimeSeconds: this.#options.waitTimeSeconds ?? 1,
            VisibilityTimeout: this.#options.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: this.#abort.signal },
        );
        messages = received.Messages ?? [];
        if (messages.length === 0) this.#stats.emptyReceives++;
      } catch (error) {
        if (this.#stopping) return;
        this.#onError(error);
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (messages.length > 0) await this.#invoke(messages);
    }
  }

  async #invoke(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((message) => this.#record(message)) };
    const context = lambdaContext(this.#functionName, { stack: this.#options.stack });
    this.#stats.invocations++;
    this.#stats.inFlight++;
    let failed: ReadonlySet<string>;
    try {
      const response = await this.#options.handler(event, context);
      failed = this.#failedMessageIds(response, event.Records);
    } catch (error) {
      this.#onError(error);
      failed = new Set(event.Records.map((record) => record.messageId));
      this.#stats.failedInvocations++;
    } finally {
      this.#stats.inFlight--;
    }
    await this.#delete(messages.filter((message) => !failed.has(message.MessageId ?? "")));
  }

  /**
   * Lambda's reading of a batch response: nothing, or no or an empty batchItemFailures, is full success; an
   * itemIdentifier that is empty or names no message of the batch fails the whole batch.
   */
  #failedMessageIds(response: unknown, records: SQSRecord[]): ReadonlySet<string> {
    if (this.#options.reportBatchItemFailures === false) return new Set();
    const all = new Set(records.map((record) => record.messageId));
    if (response === undefined || response === null || typeof response !== "object") return new Set();
    const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    const ids = Array.isArray(failures)
      ? failures.map((failure) => (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier)
      : undefined;
    if (ids === undefined || ids.some((id) => typeof id !== "string" || !all.has(id))) {
      this.#stats.failedInvocations++;
      return all;
    }
    this.#stats.itemFailures += new Set(ids).size;
    return new Set(ids as string[]);
  }

  async #delete(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      this.#stats.deleteRequests++;
      const result = await this.#options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
      this.#stats.deleted += result.Successful?.length ?? 0;
      for (const failure of result.Failed ?? []) this.#onError(new Error(`delete failed: ${failure.Message}`));
    } catch (error) {
      this.#onError(error);
    }
  }

  #record(message: Message): SQSRecord {
    const system = message.Attributes ?? {};
    const attributes: SQSRecord["attributes"] = {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? "1",
      SentTimestamp: system.SentTimestamp ?? "",
      SenderId: system.SenderId ?? "",
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? "",
    };
    for (const name of [
      "AWSTraceHeader",
      "SequenceNumber",
      "MessageGroupId",
      "MessageDeduplicationId",
      "DeadLetterQueueSourceArn",
    ] as const) {
      const value = system[name];
      if (value !== undefined) attributes[name] = value;
    }
    const record: SQSRecord = {
      messageId: message.MessageId ?? "",
      receiptHandle: message.ReceiptHandle ?? "",
      body: message.Body ?? "",
      attributes,
      messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
      md5OfBody: message.MD5OfBody ?? "",
      eventSource: "aws:sqs",
      eventSourceARN: this.#queueArn,
      awsRegion: this.#queueArn.split(":")[3] || LOCAL_REGION,
    };
    if (message.MD5OfMessageAttributes !== undefined) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
    return record;
  }
}

/** SQS API attribute values (`StringValue`, bytes) as Lambda spells them in an event (`stringValue`, base64). */
function toLambdaMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
      ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString("base64") }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((bytes) => Buffer.from(bytes).toString("base64")),
      dataType: value.DataType ?? "String",
    };
  }
  return result;
}

/** `http://host/<account>/<name>` to `arn:aws:sqs:<region>:<account>:<name>`. */
export function queueArnFromUrl(queueUrl: string, region = LOCAL_REGION): string {
  const [account, name] = new URL(queueUrl).pathname.split("/").filter(Boolean);
  return `arn:aws:sqs:${region}:${account}:${name}`;
}
