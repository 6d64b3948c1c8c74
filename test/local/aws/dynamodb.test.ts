import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTable, startDynalite } from "../../../local/aws/dynamodb.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import type { LoopbackServer } from "../../../local/aws/http-server.ts";

describe("dynalite", () => {
  let dynalite: LoopbackServer;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynalite = await startDynalite();
    client = new DynamoDBClient(localClientConfig(dynalite.endpoint));
  });

  afterAll(async () => {
    client.destroy();
    await dynalite.stop();
  });

  it("listens on loopback", () => {
    expect(dynalite.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("creates the table with the wiring's keys and index, ACTIVE", async () => {
    await createTable(client, "dq-test-table");

    const { Table } = await client.send(new DescribeTableCommand({ TableName: "dq-test-table" }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "PK", KeyType: "HASH" },
      { AttributeName: "SK", KeyType: "RANGE" },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const gsi = Table?.GlobalSecondaryIndexes?.[0];
    expect(gsi?.IndexName).toBe("GSI1");
    expect(gsi?.KeySchema).toEqual([
      { AttributeName: "GSI1PK", KeyType: "HASH" },
      { AttributeName: "GSI1SK", KeyType: "RANGE" },
    ]);
    expect(gsi?.Projection?.ProjectionType).toBe("ALL");
  });

  it("leaves an existing table in place", async () => {
    await createTable(client, "dq-twice-table");

    await expect(createTable(client, "dq-twice-table")).resolves.toBeUndefined();
  });

  it("rejects a conditional write whose condition fails", async () => {
    await createTable(client, "dq-conditional-table");
    const put = () =>
      client.send(
        new PutItemCommand({
          TableName: "dq-conditional-table",
          Item: { PK: { S: "SESSION#1" }, SK: { S: "META" } },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    await put();

    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });
});
