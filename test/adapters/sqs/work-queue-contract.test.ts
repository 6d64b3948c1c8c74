import { setTimeout as sleep } from "node:timers/promises";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import { afterAll, beforeAll, describe } from "vitest";
import { parseWorkMessage } from "../../../app/adapters/sqs/work-message.ts";
import { SqsWorkQueue } from "../../../app/adapters/sqs/work-queue.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { type QueueHarness, workQueueContract } from "../../contracts/work-queue.contract.ts";
import { type RunningMoto, startMoto } from "../../helpers/moto-server.ts";

/** Receives (and deletes) what is visible on `url` now. */
async function receiveAll(client: SQSClient, url: string) {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  for (const m of Messages)
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  return Messages.map((m) => parseWorkMessage(m.Body ?? ""));
}

describe("SqsWorkQueue on fauxqs", () => {
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

  workQueueContract(async (): Promise<QueueHarness> => {
    const name = `contract-${++queues}`;
    // fauxqs names the queue's host sqs.<region>.127.0.0.1, which is no valid URL host; its path is what counts.
    const url = `${fauxqs.address}${fauxqs.createQueue(name).queueUrl.replace(/^https?:\/\/[^/]+/, "")}`;
    return {
      queue: new SqsWorkQueue({ client, queueUrl: url }),
      receive: () => receiveAll(client, url),
      pass: (ms) => sleep(ms),
      async delays() {
        const { ready, delayed } = fauxqs.inspectQueue(name)?.messages ?? { ready: [], delayed: [] };
        return [...ready, ...delayed].map((m) =>
          m.delayUntil === undefined ? 0 : Math.round((m.delayUntil - m.sentTimestamp) / 1000),
        );
      },
    };
  });
});

describe(`SqsWorkQueue on moto_server`, () => {
  let moto: RunningMoto;
  let client: SQSClient;
  let queues = 0;

  /** Per queue, the DelaySeconds of every SendMessage request the adapter made. */
  const delaysSent = new Map<string, number[]>();

  beforeAll(async () => {
    moto = await startMoto();
    client = new SQSClient({ ...localClientConfig(moto.endpoint), maxAttempts: 1 });
    // moto does not show a waiting message's delay: the delays are read off the requests the adapter makes, which
    // is what the contract is about (the rounding up and the 900 s cap are the adapter's).
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { QueueUrl?: string; DelaySeconds?: number };
        if (input.QueueUrl !== undefined && "MessageBody" in input)
          delaysSent.get(input.QueueUrl)?.push(input.DelaySeconds ?? 0);
        return next(args);
      },
      { step: "initialize", name: "recordDelaySeconds" },
    );
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  workQueueContract(async (): Promise<QueueHarness> => {
    const { QueueUrl = "" } = await client.send(new CreateQueueCommand({ QueueName: `contract-${++queues}` }));
    const sent: number[] = [];
    delaysSent.set(QueueUrl, sent);
    return {
      queue: new SqsWorkQueue({ client, queueUrl: QueueUrl }),
      receive: () => receiveAll(client, QueueUrl),
      pass: (ms) => sleep(ms),
      delays: async () => [...sent],
    };
  });
});
