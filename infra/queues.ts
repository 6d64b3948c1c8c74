import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { QUEUE, workQueueTimings } from "../app/wiring.ts";

export interface DqQueuesArgs {
  workQueueName: string;
  deadLetterQueueName: string;
  parkedQueueName: string;
  startDeadLetterQueueName: string;
  undeliveredQueueName: string;
  /** The processor's timeout: the work queue hides a message for at least 6 times as long. */
  processorTimeoutSeconds: number;
  /** The dead-letter handler's timeout, for the DLQ's visibility. */
  deadLetterTimeoutSeconds: number;
}

/**
 * The work queue, its DLQ (after QUEUE.maxReceiveCount receives), the parking queue behind the DLQ (after
 * QUEUE.deadLetterMaxReceiveCount receives by the dead-letter handler), the queue of failed starts and resumes, and
 * the queue of notifications that never reached or never passed the notifier.
 */
export class DqQueues extends pulumi.ComponentResource {
  readonly workQueue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly parkedQueue: aws.sqs.Queue;
  readonly startDeadLetterQueue: aws.sqs.Queue;
  readonly undeliveredQueue: aws.sqs.Queue;

  constructor(name: string, args: DqQueuesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Queues", name, {}, opts);
    const parent = { parent: this };
    const settings = queueSettings(args);

    // A dead letter that its own handler cannot process would otherwise come back every visibility timeout for
    // 14 days and keep the dead-letter alarm firing: after a few receives it waits here, alarmed, for a person.
    this.parkedQueue = new aws.sqs.Queue(
      args.parkedQueueName,
      {
        name: args.parkedQueueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: QUEUE.deadLetterRetentionSeconds,
      },
      parent,
    );
    this.deadLetterQueue = new aws.sqs.Queue(
      args.deadLetterQueueName,
      {
        name: args.deadLetterQueueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: QUEUE.deadLetterRetentionSeconds,
        visibilityTimeoutSeconds: settings.deadLetterVisibilitySeconds,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.parkedQueue.arn,
          maxReceiveCount: QUEUE.deadLetterMaxReceiveCount,
        }),
      },
      parent,
    );
    this.workQueue = new aws.sqs.Queue(
      args.workQueueName,
      {
        name: args.workQueueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: settings.workRetentionSeconds,
        visibilityTimeoutSeconds: settings.workVisibilitySeconds,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.deadLetterQueue.arn,
          maxReceiveCount: QUEUE.maxReceiveCount,
        }),
        // Nothing may use the work queue as its own dead-letter queue.
        redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }),
      },
      parent,
    );
    // Separate resources: a dead-letter queue cannot name its source in its own arguments without a cycle.
    const allowOnly = (queue: aws.sqs.Queue, queueName: string, source: aws.sqs.Queue) =>
      new aws.sqs.RedriveAllowPolicy(
        `${queueName}-redrive-allow`,
        {
          queueUrl: queue.url,
          redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: [source.arn] }),
        },
        parent,
      );
    allowOnly(this.deadLetterQueue, args.deadLetterQueueName, this.workQueue);
    allowOnly(this.parkedQueue, args.parkedQueueName, this.deadLetterQueue);
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
    this.undeliveredQueue = new aws.sqs.Queue(
      args.undeliveredQueueName,
      {
        name: args.undeliveredQueueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: QUEUE.deadLetterRetentionSeconds,
        redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }),
      },
      parent,
    );
    this.registerOutputs({
      workQueueUrl: this.workQueue.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      parkedQueueUrl: this.parkedQueue.url,
      startDeadLetterQueueUrl: this.startDeadLetterQueue.url,
      undeliveredQueueUrl: this.undeliveredQueue.url,
    });
  }
}

/** The queues' timings, derived from the functions' timeouts and the receive counts. */
export function queueSettings(args: Pick<DqQueuesArgs, "processorTimeoutSeconds" | "deadLetterTimeoutSeconds">) {
  // The one derivation the pipeline's lease and sweep also use (app/wiring.ts).
  const workVisibilitySeconds = workQueueTimings(args.processorTimeoutSeconds).visibilityTimeoutSeconds;
  return {
    workVisibilitySeconds,
    deadLetterVisibilitySeconds: 6 * args.deadLetterTimeoutSeconds,
    // A message must be able to use all its receives (each hides it for the visibility) after its longest delay,
    // or it would expire instead of reaching the DLQ.
    workRetentionSeconds: Math.max(
      QUEUE.messageRetentionSeconds,
      QUEUE.delayHorizonSeconds + QUEUE.maxReceiveCount * workVisibilitySeconds,
    ),
  };
}
