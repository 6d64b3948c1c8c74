import { clampDelay } from "../../app/adapters/sqs/work-queue.ts";
import type { WorkMessage, WorkQueue } from "../../app/pipeline/ports.ts";
import type { Simulation } from "../engine.ts";
import type { FaultPlan } from "../faults.ts";
import type { Random } from "../random.ts";

export interface QueuedMessage {
  id: string;
  body: string;
  sentAt: number;
  /** When it may next be received (after its delay, or its visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  /** Deleted or moved to the dead-letter queue. */
  gone: boolean;
}

/** What the event source mapping hands the function: the message and how often it has been received. */
export type Consumer = (message: QueuedMessage) => Promise<boolean>;

export interface SimQueueOptions {
  name: string;
  visibilityTimeoutMs: number;
  /** Receives before SQS moves the message to the dead-letter queue (redrive); none without a DLQ. */
  maxReceiveCount?: number;
  deadLetterQueue?: SimQueue;
  /** The event source mapping's maximum concurrency. */
  maxConcurrency: number;
}

/**
 * An SQS standard queue with Lambda's event source mapping in front of the consumer: per-message delays capped at
 * 900 s, a visibility timeout from each receive, redrive to the DLQ once the receive count has reached
 * maxReceiveCount, at-least-once delivery (the seed duplicates and delays receives), and the mapping's maximum
 * concurrency. A message is deleted only when the consumer reports success.
 */
export class SimQueue implements WorkQueue {
  readonly name: string;
  readonly messages: QueuedMessage[] = [];
  readonly #sim: Simulation;
  readonly #random: Random;
  readonly #faults: FaultPlan;
  readonly #options: SimQueueOptions;
  #consumer: Consumer | undefined;
  #inFlight = 0;
  #ids = 0;
  /** Receives by the mapping, duplicates included. */
  receives = 0;

  constructor(sim: Simulation, random: Random, faults: FaultPlan, options: SimQueueOptions) {
    this.#sim = sim;
    this.#random = random;
    this.#faults = faults;
    this.#options = options;
    this.name = options.name;
  }

  /** The event source mapping: from now on, visible messages go to `consumer`. */
  consume(consumer: Consumer): void {
    this.#consumer = consumer;
  }

  async send(message: WorkMessage, delaySeconds: number): Promise<void> {
    this.enqueue(JSON.stringify(message), clampDelay(delaySeconds) * 1000);
  }

  enqueue(body: string, delayMs: number): QueuedMessage {
    const message: QueuedMessage = {
      id: `${this.name}-${++this.#ids}`,
      body,
      sentAt: this.#sim.now,
      visibleAt: this.#sim.now + delayMs,
      receiveCount: 0,
      gone: false,
    };
    this.messages.push(message);
    this.#whenVisible(message);
    return message;
  }

  /** Messages not yet deleted. */
  get depth(): number {
    return this.messages.filter((m) => !m.gone).length;
  }

  #whenVisible(message: QueuedMessage): void {
    const at = message.visibleAt;
    this.#sim.at(at, () => {
      if (message.gone || message.visibleAt !== at) return;
      const late = this.#faults.roll(this.#faults.rates.lateDelivery, "sqs late delivery");
      this.#sim.after(late ? this.#random.between(5_000, 90_000) : this.#random.between(5, 1_200), () =>
        this.#receive(message, at),
      );
    });
  }

  #receive(message: QueuedMessage, visibleAt: number): void {
    if (message.gone || message.visibleAt !== visibleAt || this.#consumer === undefined) return;
    if (this.#inFlight >= this.#options.maxConcurrency) {
      // The mapping is at its maximum concurrency: the message waits in the queue, its receive count unchanged.
      this.#sim.after(this.#random.between(200, 2_000), () => this.#receive(message, visibleAt));
      return;
    }
    const { maxReceiveCount, deadLetterQueue } = this.#options;
    if (maxReceiveCount !== undefined && deadLetterQueue && message.receiveCount >= maxReceiveCount) {
      message.gone = true;
      deadLetterQueue.enqueue(message.body, 0);
      return;
    }
    message.receiveCount++;
    message.visibleAt = this.#sim.now + this.#options.visibilityTimeoutMs;
    this.#whenVisible(message);
    this.receives++;
    if (this.#faults.roll(this.#faults.rates.throttledReceive, "lambda throttled an sqs receive")) return;
    this.#deliver(message);
    if (this.#faults.roll(this.#faults.rates.duplicateDelivery, "sqs duplicate delivery"))
      this.#sim.after(this.#random.between(0, 3_000), () => {
        if (!message.gone) this.#deliver(message);
      });
  }

  #deliver(message: QueuedMessage): void {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    this.#inFlight++;
    const snapshot = { ...message };
    consumer(snapshot).then((ok) => {
      this.#inFlight--;
      if (ok) message.gone = true;
    });
  }
}
