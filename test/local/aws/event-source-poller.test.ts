import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { QUEUE } from "../../../app/wiring.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { EventSourcePoller, type EventSourcePollerOptions } from "../../../local/aws/event-source-poller.ts";
import type { LoopbackServer } from "../../../local/aws/http-server.ts";
import { createWorkQueues, startFauxqs, type WorkQueues } from "../../../local/aws/sqs.ts";
import { deferred, waitUntil } from "../../helpers/wait-until.ts";

describe("EventSourcePoller", () => {
  let fauxqs: LoopbackServer;
  let client: SQSClient;
  let pollers: EventSourcePoller[] = [];
  let queueCount = 0;

  beforeAll(async () => {
    fauxqs = await startFauxqs();
    client = new SQSClient(localClientConfig(fauxqs.endpoint));
  });

  afterEach(async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
    pollers = [];
  });

  afterAll(async () => {
    client.destroy();
    await fauxqs.stop();
  });

  async function newQueues(): Promise<WorkQueues> {
    queueCount++;
    return createWorkQueues(client, { queue: `work-${queueCount}`, deadLetterQueue: `dlq-${queueCount}` });
  }

  function poll(options: Omit<EventSourcePollerOptions, "client">): EventSourcePoller {
    const poller = new EventSourcePoller({ client, waitTimeSeconds: 1, ...options }).start();
    pollers.push(poller);
    return poller;
  }

  async function send(queueUrl: string, body: string, extra: { DelaySeconds?: number } = {}): Promise<string> {
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: { kind: { DataType: "String", StringValue: "batch" } },
        ...extra,
      }),
    );
    return sent.MessageId ?? "";
  }

  it("delivers a message as a real SQS event with a Lambda context", async () => {
    const queues = await newQueues();
    const received = deferred<{ event: SQSEvent; context: Context }>();
    poll({
      queueUrl: queues.queueUrl,
      handler: async (event, context) => received.resolve({ event, context }),
    });
    const messageId = await send(queues.queueUrl, '{"type":"pump","sessionId":"s1"}');

    const { event, context } = await received.promise;

    expect(event.Records).toHaveLength(1);
    const record = event.Records[0] as SQSRecord;
    expect(record).toMatchObject({
      messageId,
      body: '{"type":"pump","sessionId":"s1"}',
      eventSource: "aws:sqs",
      eventSourceARN: queues.queueArn,
      awsRegion: "us-east-1",
      messageAttributes: { kind: { stringValue: "batch", dataType: "String" } },
    });
    expect(record.receiptHandle).not.toBe("");
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(record.attributes.ApproximateReceiveCount).toBe("1");
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(0);
    expect(context.functionName).toBe("dq-local-processor");
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
  });

  it("deletes a message the handler processed", async () => {
    const queues = await newQueues();
    const poller = poll({ queueUrl: queues.queueUrl, handler: async () => ({ batchItemFailures: [] }) });
    await send(queues.queueUrl, "ok");

    await waitUntil(() => poller.stats().deleted === 1);
    await poller.stop();

    const left = await client.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, VisibilityTimeout: 0 }));
    expect(left.Messages).toBeUndefined();
  });

  it("redelivers a reported batch item failure after the visibility timeout", async () => {
    const queues = await newQueues();
    const deliveries: { receiveCount: string; at: number }[] = [];
    poll({
      queueUrl: queues.queueUrl,
      visibilityTimeoutSeconds: 1,
      handler: async (event) => {
        const record = event.Records[0] as SQSRecord;
        deliveries.push({ receiveCount: record.attributes.ApproximateReceiveCount, at: Date.now() });
        return deliveries.length === 1 ? { batchItemFailures: [{ itemIdentifier: record.messageId }] } : undefined;
      },
    });
    await send(queues.queueUrl, "retry me");

    await waitUntil(() => deliveries.length === 2);

    expect(deliveries.map((d) => d.receiveCount)).toEqual(["1", "2"]);
    expect((deliveries[1]?.at ?? 0) - (deliveries[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it("moves a message to the DLQ after maxReceiveCount failed receives", async () => {
    const queues = await newQueues();
    let invocations = 0;
    const poller = poll({
      queueUrl: queues.queueUrl,
      visibilityTimeoutSeconds: 1,
      handler: async (event) => {
        invocations++;
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    const messageId = await send(queues.queueUrl, "poison");

    const dead = await waitUntil(
      async () => {
        const out = await client.send(
          new ReceiveMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, MessageSystemAttributeNames: ["All"] }),
        );
        return out.Messages?.[0];
      },
      { timeoutMs: 10_000 },
    );

    expect(dead.MessageId).toBe(messageId);
    expect(invocations).toBe(QUEUE.maxReceiveCount);
    expect(poller.stats().itemFailures).toBe(QUEUE.maxReceiveCount);
  });

  it("treats a handler that throws as a failure of the whole batch", async () => {
    const queues = await newQueues();
    const counts: string[] = [];
    const poller = poll({
      queueUrl: queues.queueUrl,
      visibilityTimeoutSeconds: 1,
      handler: async (event) => {
        counts.push((event.Records[0] as SQSRecord).attributes.ApproximateReceiveCount);
        if (counts.length === 1) throw new Error("boom");
      },
    });
    await send(queues.queueUrl, "flaky");

    await waitUntil(() => poller.stats().deleted === 1);

    expect(counts).toEqual(["1", "2"]);
    expect(poller.stats().failedInvocations).toBe(1);
  });

  it("fails the whole batch when an itemIdentifier names no message of it", async () => {
    const queues = await newQueues();
    const poller = poll({
      queueUrl: queues.queueUrl,
      visibilityTimeoutSeconds: 1,
      handler: async () => ({ batchItemFailures: [{ itemIdentifier: "not-a-message-id" }] }),
    });
    await send(queues.queueUrl, "bad response");

    await waitUntil(() => poller.stats().invocations >= 1 && poller.stats().inFlight === 0);

    expect(poller.stats()).toMatchObject({ failedInvocations: 1, deleted: 0 });
  });

  it("never runs more handler invocations at once than maxConcurrency", async () => {
    const queues = await newQueues();
    let running = 0;
    let peak = 0;
    const poller = poll({
      queueUrl: queues.queueUrl,
      maxConcurrency: 2,
      handler: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 150));
        running--;
      },
    });
    await Promise.all(Array.from({ length: 6 }, (_, i) => send(queues.queueUrl, `m${i}`)));

    await waitUntil(() => poller.stats().deleted === 6);

    expect(peak).toBe(2);
  });

  it("does not deliver a message before its DelaySeconds", async () => {
    const queues = await newQueues();
    const delivered = deferred<number>();
    poll({ queueUrl: queues.queueUrl, handler: async () => delivered.resolve(Date.now()) });
    const sentAt = Date.now();
    await send(queues.queueUrl, "later", { DelaySeconds: 1 });

    const at = await delivered.promise;

    expect(at - sentAt).toBeGreaterThanOrEqual(950);
  });

  it("waits for in-flight invocations when stopped, and acknowledges them", async () => {
    const queues = await newQueues();
    const started = deferred();
    const release = deferred();
    const poller = poll({
      queueUrl: queues.queueUrl,
      handler: async () => {
        started.resolve();
        await release.promise;
      },
    });
    await send(queues.queueUrl, "slow");
    await started.promise;

    const stopped = poller.stop();
    release.resolve();
    await stopped;

    expect(poller.stats()).toMatchObject({ invocations: 1, deleted: 1, inFlight: 0 });
  });
});
