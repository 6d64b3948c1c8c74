import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EventBridgePublisher, EventPublishError } from "../../../app/adapters/eventbridge/publisher.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { type EventBridgeShim, startEventBridgeShim } from "../../../local/aws/eventbridge-shim.ts";

const BUS = "dq-test-events";
const NOW = Date.parse("2026-01-16T04:42:30Z");

describe("EventBridgePublisher", () => {
  let shim: EventBridgeShim;
  let client: EventBridgeClient;
  let published: number;

  beforeAll(async () => {
    shim = await startEventBridgeShim({ functions: {}, rules: [], eventBusName: BUS, clock: () => NOW });
    client = new EventBridgeClient({ ...localClientConfig(shim.endpoint), maxAttempts: 1 });
  });

  beforeEach(() => {
    published = shim.events().length;
    shim.failNext(0);
  });

  afterAll(async () => {
    client.destroy();
    await shim.stop();
  });

  const publisher = (eventBusName = BUS) => new EventBridgePublisher({ client, eventBusName, retryDelayMs: 1 });
  const newEvents = () => shim.events().slice(published);

  it("publishes the detail under dq's source and the detail type", async () => {
    await publisher().publish("WorkflowCompleted", { schemaVersion: 1, sessionId: "s1" });

    expect(newEvents().map((e) => [e.source, e["detail-type"], e.detail])).toEqual([
      ["dq.monitor", "WorkflowCompleted", { schemaVersion: 1, sessionId: "s1" }],
    ]);
  });

  it("retries an entry EventBridge reported failed until it is accepted", async () => {
    shim.failNext(3, "ThrottlingException");

    await publisher().publish("SessionProgress", { sessionId: "s2" });

    expect(newEvents().map((e) => e.detail)).toEqual([{ sessionId: "s2" }]);
  });

  it("throws an EventPublishError with EventBridge's error code once the retries are spent", async () => {
    shim.failNext(4, "ThrottlingException");

    const error = await publisher()
      .publish("WorkflowFailed", { sessionId: "s3" })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EventPublishError);
    expect(error).toMatchObject({ code: "ThrottlingException", detailType: "WorkflowFailed", eventBusName: BUS });
    expect(newEvents()).toEqual([]);
  });

  it("throws for a bus that does not exist rather than losing the event", async () => {
    const error = await publisher("no-such-bus")
      .publish("WorkflowCompleted", { sessionId: "s4" })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "EventPublishError", code: "InvalidArgument" });
  });

  it("throws an EventPublishError when EventBridge cannot be reached", async () => {
    const unreachable = new EventBridgeClient({ ...localClientConfig("http://127.0.0.1:1"), maxAttempts: 1 });
    const offline = new EventBridgePublisher({ client: unreachable, eventBusName: BUS, retryDelayMs: 1 });

    const error = await offline.publish("WorkflowCompleted", { sessionId: "s5" }).catch((e: unknown) => e);
    unreachable.destroy();

    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
