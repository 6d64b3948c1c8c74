import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE } from "../../../app/wiring.ts";
import { localAwsEnv, localClientConfig } from "../../../local/aws/env.ts";
import type { LoopbackServer } from "../../../local/aws/http-server.ts";
import { createWorkQueues, queueUrlFromArn, startFauxqs, toLoopbackQueueUrl } from "../../../local/aws/sqs.ts";

describe("fauxqs work queues", () => {
  let fauxqs: LoopbackServer;
  let client: SQSClient;

  beforeAll(async () => {
    fauxqs = await startFauxqs();
    client = new SQSClient(localClientConfig(fauxqs.endpoint));
  });

  afterAll(async () => {
    client.destroy();
    await fauxqs.stop();
  });

  it("creates the work queue with the wiring's visibility timeout and redrive to the DLQ", async () => {
    const queues = await createWorkQueues(client, { queue: "settings-work", deadLetterQueue: "settings-dlq" });

    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ["All"] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe(String(QUEUE.visibilityTimeoutSeconds));
    expect(Attributes?.MessageRetentionPeriod).toBe(String(QUEUE.messageRetentionSeconds));
    expect(JSON.parse(Attributes?.RedrivePolicy ?? "{}")).toEqual({
      deadLetterTargetArn: queues.deadLetterQueueArn,
      maxReceiveCount: QUEUE.maxReceiveCount,
    });
  });

  it("answers queue URLs on 127.0.0.1", async () => {
    const queues = await createWorkQueues(client, { queue: "url-work", deadLetterQueue: "url-dlq" });

    expect(new URL(queues.queueUrl).hostname).toBe("127.0.0.1");
    expect(await queueUrlFromArn(client, queues.deadLetterQueueArn)).toBe(queues.deadLetterQueueUrl);
  });

  it("rewrites only fauxqs's sqs.<region>.localhost host", () => {
    expect(toLoopbackQueueUrl("http://sqs.us-east-1.localhost:4566/000000000000/q")).toBe(
      "http://127.0.0.1:4566/000000000000/q",
    );
    expect(toLoopbackQueueUrl("https://sqs.us-east-1.amazonaws.com/1/q")).toBe(
      "https://sqs.us-east-1.amazonaws.com/1/q",
    );
  });

  it("is reached by a client configured only through localAwsEnv", async () => {
    const queues = await createWorkQueues(client, { queue: "env-work", deadLetterQueue: "env-dlq" });
    const saved = { ...process.env };
    Object.assign(process.env, localAwsEnv({ sqs: fauxqs.endpoint }));
    const envClient = new SQSClient({});
    try {
      await envClient.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: "hello" }));

      const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl }));
      expect(Messages?.[0]?.Body).toBe("hello");
    } finally {
      envClient.destroy();
      process.env = saved;
    }
  });
});
