import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidMessageError, parseWorkMessage } from "../../../app/adapters/sqs/work-message.ts";
import { clampDelay, SqsWorkQueue, WorkQueueError } from "../../../app/adapters/sqs/work-queue.ts";
import type { WorkMessage } from "../../../app/pipeline/ports.ts";
import { localClientConfig } from "../../../local/aws/env.ts";

describe("SqsWorkQueue", () => {
  let fauxqs: FauxqsServer;
  let client: SQSClient;
  let queues = 0;

  beforeAll(async () => {
    fauxqs = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false });
    client = new SQSClient({ ...localClientConfig(fauxqs.address), maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await fauxqs.stop();
  });

  async function newQueue(): Promise<{ queue: SqsWorkQueue; name: string; url: string }> {
    const name = `work-${++queues}`;
    // fauxqs names the queue's host sqs.<region>.127.0.0.1, which is no valid URL host; its path is what counts.
    const path = fauxqs.createQueue(name).queueUrl.replace(/^https?:\/\/[^/]+/, "");
    const url = `${fauxqs.address}${path}`;
    return { queue: new SqsWorkQueue({ client, queueUrl: url }), name, url };
  }

  /** Delay of each message waiting in the queue, in seconds; 0 for a message ready now. */
  function delays(name: string): number[] {
    const { ready, delayed } = fauxqs.inspectQueue(name)?.messages ?? { ready: [], delayed: [] };
    return [...ready, ...delayed].map((m) =>
      m.delayUntil === undefined ? 0 : Math.round((m.delayUntil - m.sentTimestamp) / 1000),
    );
  }

  it("sends the message as a JSON body that parses back to it", async () => {
    const { queue, url } = await newQueue();
    const message: WorkMessage = { type: "batch", sessionId: "s1", batch: 3, attempt: 1, slotStart: 1_741_089_600_000 };

    await queue.send(message, 0);

    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(Messages?.map((m) => parseWorkMessage(m.Body ?? ""))).toEqual([message]);
  });

  it("delays a message by whole seconds, rounded up so it never arrives before its slot", async () => {
    const { queue, name } = await newQueue();

    await queue.send({ type: "pump", sessionId: "s1" }, 41.2);

    expect(delays(name)).toEqual([42]);
  });

  it("clamps the delay to SQS's range of 0 to 900 seconds", async () => {
    const { queue, name } = await newQueue();

    await queue.send({ type: "pump", sessionId: "late" }, -12);
    await queue.send({ type: "pump", sessionId: "far" }, 3_600);

    expect(delays(name)).toEqual([0, 900]);
  });

  it("clamps delays that are not finite numbers", () => {
    expect([clampDelay(Number.NaN), clampDelay(Number.POSITIVE_INFINITY), clampDelay(0.001)]).toEqual([0, 900, 1]);
  });

  it("throws a WorkQueueError naming the queue and the session when SQS refuses", async () => {
    const queue = new SqsWorkQueue({ client, queueUrl: `${fauxqs.address}/000000000000/no-such-queue` });

    const error = await queue.send({ type: "pump", sessionId: "s9" }, 0).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WorkQueueError);
    expect(error).toMatchObject({ sessionId: "s9", messageType: "pump" });
    expect((error as Error).message).toContain("no-such-queue");
  });
});

describe("parseWorkMessage", () => {
  it("parses a pump message", () => {
    expect(parseWorkMessage('{"type":"pump","sessionId":"s1"}')).toEqual({ type: "pump", sessionId: "s1" });
  });

  it("drops fields it does not know", () => {
    expect(parseWorkMessage('{"type":"pump","sessionId":"s1","extra":true}')).toEqual({
      type: "pump",
      sessionId: "s1",
    });
  });

  it.each([
    ["not JSON", "{type: pump"],
    ["an unknown type", '{"type":"sweep","sessionId":"s1"}'],
    ["a batch without its attempt", '{"type":"batch","sessionId":"s1","batch":1,"slotStart":0}'],
    ["a negative batch number", '{"type":"batch","sessionId":"s1","batch":-1,"attempt":0,"slotStart":0}'],
    ["an empty session id", '{"type":"pump","sessionId":""}'],
    ["a JSON array", "[]"],
  ])("rejects %s with a one-line InvalidMessageError", (_, body) => {
    const error = (() => {
      try {
        parseWorkMessage(body);
      } catch (e) {
        return e;
      }
    })();

    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as Error).message).toMatch(/^invalid work message: [^\n]+$/);
    expect((error as InvalidMessageError).bodyPreview).toBe(body);
  });
});
