import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_SOURCE } from "../../../app/wiring.ts";
import { startDynalite } from "../../../local/aws/dynamodb.ts";
import { localAwsEnv } from "../../../local/aws/env.ts";
import { type EventBridgeShim, startEventBridgeShim } from "../../../local/aws/eventbridge-shim.ts";
import type { LoopbackServer } from "../../../local/aws/http-server.ts";
import { type LambdaShim, startLambdaShim } from "../../../local/aws/lambda-shim.ts";
import { type SchedulerShim, startSchedulerShim } from "../../../local/aws/scheduler-shim.ts";

describe("localAwsEnv", () => {
  it("sets the region, fake credentials and one endpoint variable per running service", () => {
    expect(localAwsEnv({ dynamodb: "http://127.0.0.1:1", eventbridge: "http://127.0.0.1:2" })).toEqual({
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:1",
      AWS_ENDPOINT_URL_EVENTBRIDGE: "http://127.0.0.1:2",
    });
  });

  describe("with default SDK clients", () => {
    let dynalite: LoopbackServer;
    let eventBridge: EventBridgeShim;
    let scheduler: SchedulerShim;
    let lambda: LambdaShim;
    const saved = { ...process.env };
    const clock = () => Date.parse("2026-01-16T12:00:00Z");

    beforeAll(async () => {
      dynalite = await startDynalite();
      eventBridge = await startEventBridgeShim({ functions: {}, clock });
      scheduler = await startSchedulerShim({ functions: {}, clock });
      lambda = await startLambdaShim({ functions: { coordinator: async () => "pong" } });
      Object.assign(
        process.env,
        localAwsEnv({
          dynamodb: dynalite.endpoint,
          eventbridge: eventBridge.endpoint,
          scheduler: scheduler.endpoint,
          lambda: lambda.endpoint,
        }),
      );
    });

    afterAll(async () => {
      process.env = saved;
      await Promise.all([dynalite.stop(), eventBridge.stop(), scheduler.stop(), lambda.stop()]);
    });

    it("reach dynalite", async () => {
      const client = new DynamoDBClient({});

      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
      client.destroy();
    });

    it("reach the EventBridge shim", async () => {
      const client = new EventBridgeClient({});

      await client.send(
        new PutEventsCommand({ Entries: [{ Source: EVENT_SOURCE, DetailType: "Ping", Detail: "{}" }] }),
      );
      client.destroy();

      expect(eventBridge.events()).toHaveLength(1);
    });

    it("reach the Scheduler shim", async () => {
      const client = new SchedulerClient({});

      await expect(client.send(new ListSchedulesCommand({}))).resolves.toMatchObject({ Schedules: [] });
      client.destroy();
    });

    it("reach the Lambda shim", async () => {
      const client = new LambdaClient({});

      const out = await client.send(new InvokeCommand({ FunctionName: "dq-local-coordinator" }));
      client.destroy();

      expect(new TextDecoder().decode(out.Payload)).toBe('"pong"');
    });
  });
});
