import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterEach, describe, expect, it } from "vitest";
import { DetailType, EVENT_SOURCE } from "../../../app/wiring.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { type EventBridgeShim, startEventBridgeShim } from "../../../local/aws/eventbridge-shim.ts";
import type { LocalFunctions } from "../../../local/aws/functions.ts";

/** The shim's clock: events get their time from it, never from the real date. */
const NOW = Date.parse("2026-01-16T04:42:30.250Z");

describe("EventBridge shim", () => {
  let shim: EventBridgeShim | undefined;
  let client: EventBridgeClient | undefined;

  afterEach(async () => {
    client?.destroy();
    await shim?.stop();
  });

  async function start(functions: LocalFunctions, options: { eventBusName?: string } = {}) {
    shim = await startEventBridgeShim({ functions, retryDelayMs: 10, clock: () => NOW, ...options });
    client = new EventBridgeClient(localClientConfig(shim.endpoint));
    return { shim, client };
  }

  function entry(detailType: string, detail: unknown = { sessionId: "s1" }): PutEventsRequestEntry {
    return {
      Source: EVENT_SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
      EventBusName: "dq-test-events",
    };
  }

  it("delivers WorkflowCompleted and SessionProgress to the notifier as EventBridge events", async () => {
    const received: unknown[] = [];
    const { shim, client } = await start({ notifier: async (event) => received.push(event) });

    const out = await client.send(
      new PutEventsCommand({ Entries: [entry(DetailType.workflowCompleted), entry(DetailType.sessionProgress)] }),
    );
    await shim.idle();

    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.map((e) => e.EventId)).toEqual(shim.events().map((e) => e.id));
    expect(received).toHaveLength(2);
    expect(received[0]).toMatchObject({
      version: "0",
      source: EVENT_SOURCE,
      "detail-type": DetailType.workflowCompleted,
      account: "000000000000",
      region: "us-east-1",
      resources: [],
      detail: { sessionId: "s1" },
    });
    expect((received[0] as { time: string }).time).toBe("2026-01-16T04:42:30Z");
  });

  it("accepts but routes nowhere an event no rule matches", async () => {
    const received: unknown[] = [];
    const { shim, client } = await start({ notifier: async (event) => received.push(event) });

    const out = await client.send(new PutEventsCommand({ Entries: [entry("SomethingElse")] }));
    await shim.idle();

    expect(out.FailedEntryCount).toBe(0);
    expect(shim.events()).toHaveLength(1);
    expect(received).toEqual([]);
  });

  it("fails the next entries on request, without recording or delivering them", async () => {
    const received: unknown[] = [];
    const { shim, client } = await start({ notifier: async (event) => received.push(event) });
    shim.failNext(1, "ThrottlingException");

    const out = await client.send(
      new PutEventsCommand({ Entries: [entry(DetailType.workflowFailed), entry(DetailType.workflowFailed)] }),
    );
    await shim.idle();

    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0]?.ErrorCode).toBe("ThrottlingException");
    expect(out.Entries?.[1]?.EventId).toBeDefined();
    expect(shim.events()).toHaveLength(1);
    expect(received).toHaveLength(1);
  });

  it("rejects a Detail that is not a JSON object as MalformedDetail", async () => {
    const { client } = await start({});

    const out = await client.send(
      new PutEventsCommand({
        Entries: [{ Source: EVENT_SOURCE, DetailType: DetailType.sessionProgress, Detail: "not json" }],
      }),
    );

    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0]?.ErrorCode).toBe("MalformedDetail");
  });

  it("rejects entries for another bus when a bus is configured", async () => {
    const { shim, client } = await start({}, { eventBusName: "dq-local-events" });

    const out = await client.send(new PutEventsCommand({ Entries: [entry(DetailType.workflowCompleted)] }));

    expect(out.Entries?.[0]?.ErrorCode).toBe("InvalidArgument");
    expect(shim.events()).toEqual([]);
  });

  it("retries a delivery whose function throws, as an asynchronous invocation", async () => {
    let calls = 0;
    const { shim, client } = await start({
      notifier: async () => {
        calls++;
        if (calls === 1) throw new Error("Slack down");
      },
    });

    await client.send(new PutEventsCommand({ Entries: [entry(DetailType.workflowCompleted)] }));
    await shim.idle();

    expect(calls).toBe(2);
    expect(shim.deliveries()[0]).toMatchObject({ functionName: "notifier", status: "succeeded", attempts: 2 });
  });
});
