import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";
import { QUEUE } from "../../app/wiring.ts";
import { EmulatorStartError, LocalAwsError } from "./errors.ts";
import type { LoopbackServer } from "./http-server.ts";

export interface FauxqsOptions {
  /** @default 0: the OS picks a free port */
  port?: number;
}

/**
 * fauxqs (SQS and S3 APIs on one endpoint) in this process, in memory, on 127.0.0.1 only. fauxqs implements what
 * the work queue relies on: DelaySeconds, visibility timeouts, ApproximateReceiveCount and RedrivePolicy (a message
 * received more than maxReceiveCount times moves to the DLQ on its next receive, as on AWS).
 */
export async function startFauxqs(options: FauxqsOptions = {}): Promise<LoopbackServer> {
  const app = buildApp({ logger: false });
  let address: string;
  try {
    address = await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  } catch (error) {
    throw new EmulatorStartError("fauxqs", { cause: error });
  }
  const url = new URL(address);
  return {
    endpoint: url.origin,
    port: Number(url.port),
    stop: async () => {
      await app.close();
    },
  };
}

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/...`, a host that does not resolve everywhere, and the
 * SDK sends to the queue URL's host when it differs from the endpoint. The same path on 127.0.0.1 reaches the
 * same queue.
 */
export function toLoopbackQueueUrl(queueUrl: string): string {
  const url = new URL(queueUrl);
  if (/^sqs\.[a-z0-9-]+\.localhost$/.test(url.hostname)) url.hostname = "127.0.0.1";
  return url.toString();
}

export interface WorkQueues {
  /** Loopback URL of the work queue. */
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/**
 * Creates the work queue and its DLQ with the settings infra gives them (wiring QUEUE): visibility timeout,
 * retention, and a RedrivePolicy that moves a message to the DLQ after maxReceiveCount receives.
 * Names as in `resourceNames(stack)`.
 */
export async function createWorkQueues(
  client: SQSClient,
  names: { queue: string; deadLetterQueue: string },
): Promise<WorkQueues> {
  const deadLetter = await createQueue(client, names.deadLetterQueue, {
    MessageRetentionPeriod: String(QUEUE.deadLetterRetentionSeconds),
  });
  const work = await createQueue(client, names.queue, {
    VisibilityTimeout: String(QUEUE.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(QUEUE.messageRetentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: QUEUE.maxReceiveCount }),
  });
  return {
    queueUrl: work.url,
    queueArn: work.arn,
    deadLetterQueueUrl: deadLetter.url,
    deadLetterQueueArn: deadLetter.arn,
  };
}

async function createQueue(
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (created.QueueUrl === undefined) throw new LocalAwsError(`CreateQueue ${name} answered no QueueUrl`);
  const url = toLoopbackQueueUrl(created.QueueUrl);
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
  );
  if (Attributes?.QueueArn === undefined) throw new LocalAwsError(`queue ${name} has no QueueArn`);
  return { url, arn: Attributes.QueueArn };
}

/** `arn:aws:sqs:<region>:<account>:<name>` to a loopback queue URL, through GetQueueUrl. */
export async function queueUrlFromArn(client: SQSClient, queueArn: string): Promise<string> {
  const [, , , , account, name] = queueArn.split(":");
  const { QueueUrl } = await client.send(
    new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account || undefined }),
  );
  if (QueueUrl === undefined) throw new LocalAwsError(`no queue for ${queueArn}`);
  return toLoopbackQueueUrl(QueueUrl);
}
