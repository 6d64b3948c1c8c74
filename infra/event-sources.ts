import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { QUEUE } from "../app/wiring.ts";
import type { DqFunction } from "./functions.ts";

export interface DqQueueConsumerArgs {
  queue: aws.sqs.Queue;
  consumer: DqFunction;
  /** Concurrent invocations the mapping may run; Lambda allows 2 to 1000. */
  maximumConcurrency: number;
}

/**
 * Lambda polls the queue for the function: one message per invocation, and the function reports the messages it
 * failed, so a failure redelivers only that message.
 */
export class DqQueueConsumer extends pulumi.ComponentResource {
  readonly mapping: aws.lambda.EventSourceMapping;

  constructor(name: string, args: DqQueueConsumerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:QueueConsumer", name, {}, opts);
    this.mapping = new aws.lambda.EventSourceMapping(
      name,
      {
        eventSourceArn: args.queue.arn,
        functionName: args.consumer.arn,
        batchSize: QUEUE.batchSize,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: Math.max(2, args.maximumConcurrency) },
      },
      { parent: this },
    );
    this.registerOutputs({ uuid: this.mapping.uuid });
  }
}
