import { setTimeout as sleep } from "node:timers/promises";
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { EventPublisher } from "../../pipeline/ports.ts";
import { type DetailType, EVENT_SOURCE } from "../../wiring.ts";

export interface EventBridgePublisherOptions {
  client: EventBridgeClient;
  eventBusName: string;
  /** Retries of an entry that PutEvents reported failed. @default 3 */
  retries?: number;
  /** Pause before the first retry; doubles each time. @default 100 */
  retryDelayMs?: number;
}

/** An event that could not be published, after the retries. Carries EventBridge's error code for the operator. */
export class EventPublishError extends Error {
  override name = "EventPublishError";
  readonly detailType: DetailType;
  readonly eventBusName: string;
  /** EventBridge's ErrorCode for the entry (e.g. ThrottlingException), or the SDK error's name. */
  readonly code: string;
  constructor(detailType: DetailType, eventBusName: string, code: string, reason: string, options?: ErrorOptions) {
    super(`cannot publish ${detailType} to ${eventBusName}: ${code}: ${reason}`, options);
    this.detailType = detailType;
    this.eventBusName = eventBusName;
    this.code = code;
  }
}

/**
 * Publishes to the EventBridge bus. PutEvents answers 200 even when it rejected the entry (FailedEntryCount), so
 * the answer is checked and a failed entry retried; an event is published or the caller gets an error, never
 * lost silently.
 */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #bus: string;
  readonly #retries: number;
  readonly #retryDelayMs: number;

  constructor(options: EventBridgePublisherOptions) {
    this.#client = options.client;
    this.#bus = options.eventBusName;
    this.#retries = options.retries ?? 3;
    this.#retryDelayMs = options.retryDelayMs ?? 100;
  }

  async publish(detailType: DetailType, detail: Record<string, unknown>): Promise<void> {
    const entry: PutEventsRequestEntry = {
      Source: EVENT_SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
      EventBusName: this.#bus,
    };
    for (let attempt = 0; ; attempt++) {
      let out: PutEventsCommandOutput;
      try {
        out = await this.#client.send(new PutEventsCommand({ Entries: [entry] }));
      } catch (error) {
        // The SDK has already retried throttling and transient network errors.
        const code = error instanceof Error ? error.name : "Error";
        const reason = error instanceof Error ? error.message : String(error);
        throw new EventPublishError(detailType, this.#bus, code, reason, { cause: error });
      }
      const result = out.Entries?.[0];
      if (!out.FailedEntryCount && result?.ErrorCode === undefined) return;
      const code = result?.ErrorCode ?? "UnknownError";
      if (attempt >= this.#retries)
        throw new EventPublishError(
          detailType,
          this.#bus,
          code,
          `${result?.ErrorMessage ?? "entry failed"} after ${attempt + 1} attempts`,
        );
      await sleep(this.#retryDelayMs * 2 ** attempt);
    }
  }
}
