import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { QUEUE } from "../app/wiring.ts";

export interface DqQueuesArgs {
  workQueueName: string;
  deadLetterQueueName: string;
  startDeadLetterQueueName: string;
  /** The processor's timeout: the work queue hides a message for at least 6 times as long. */
  processorTimeoutSeconds: number;
  /** The dead-letter handler's timeout, for the DLQ's visibility. */
  deadLetterTimeoutSeconds: number;
}

/** The work queue, its DLQ (after QUEUE.maxReceiveCount receives) and the queue of failed starts. */
export class DqQueues extends pulumi.ComponentResource {
  readonly workQueue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly startDeadLetterQueue: aws.sqs.Queue;

  constructor(name: string, args: DqQueuesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Queues", name, {}, opts);
    const parent = { parent: this };

    this.deadLetterQueue = new aws.sqs.Queue(
      args.deadLetterQueueName,
      {
        name: args.deadLetterQueueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: QUEUE.deadLetterRetentionSeconds,
        visibilityTimeoutSeconds: 6 * args.deadLetterTimeoutSeconds,
      },
      parent,
    );
    this.workQueue = new aws.sqs.Queue(
      args.workQueueName,
      {
        name: args.workQueueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: QUEUE.messageRetentionSeconds,
        visibilityTimeoutSeconds: Math.max(QUEUE.visibilityTimeoutSeconds, 6 * args.processorTimeoutSeconds),
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.deadLetterQueue.arn,
          maxReceiveCount: QUEUE.maxReceiveCount,
        }),
        // Nothing may use the work queue as its own dead-letter queue.
        redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }),
      },
      parent,
    );
    // A separate resource: the DLQ cannot name the work queue in its own arguments without a cycle.
    new aws.sqs.RedriveAllowPolicy(
      `${args.deadLetterQueueName}-redrive-allow`,
      {
        queueUrl: this.deadLetterQueue.url,
        redriveAllowPolicy: pulumi.jsonStringify({
          redrivePermission: "byQueue",
          sourceQueueArns: [this.workQueue.arn],
        }),
      },
      parent,
    );
    this.startDeadLetterQueue = new aws.sqs.Queue(
      args.startDeadLetterQueueName,
      {
        name: args.startDeadLetterQueueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: QUEUE.deadLetterRetentionSeconds,
        redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }),
      },
      parent,
    );
    this.registerOutputs({
      workQueueUrl: this.workQueue.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      startDeadLetterQueueUrl: this.startDeadLetterQueue.url,
    });
  }
}
