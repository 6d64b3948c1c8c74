import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreError } from "../../../app/adapters/dynamodb/errors.ts";
import { DynamoSessionStore } from "../../../app/adapters/dynamodb/session-store.ts";
import { createTable } from "../../../local/aws/dynamodb.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { NOW, sessionStoreContract } from "../../contracts/session-store.contract.ts";
import { type LocalDynamo, startLocalDynamo } from "../../helpers/local-dynamo.ts";
import { type RunningMoto, startMoto } from "../../helpers/moto-server.ts";
import { batchRecord, sessionRecord } from "../../helpers/session-records.ts";

describe("DynamoSessionStore on dynalite", () => {
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  async function newStore(): Promise<{ store: DynamoSessionStore; tableName: string }> {
    const tableName = await dynamo.table();
    return { store: new DynamoSessionStore({ client: dynamo.documents, tableName, clock: () => NOW }), tableName };
  }

  describe("the SessionStore contract", () => {
    sessionStoreContract(async () => (await newStore()).store);
  });

  it("stamps items with a ttl of ttlDays after the clock, in epoch seconds", async () => {
    const { store, tableName } = await newStore();
    await store.createSession(sessionRecord("s1"));

    const { Item } = await dynamo.documents.send(
      new GetCommand({ TableName: tableName, Key: { PK: "SESSION#s1", SK: "META" } }),
    );

    expect(Item?.ttl).toBe(NOW / 1000 + 7 * 86_400);
  });

  it("keeps a session's items the retention beyond its bound, however long it runs", async () => {
    const { store, tableName } = await newStore();
    const keepUntil = NOW + 12 * 86_400_000;
    await store.createSession(sessionRecord("s1"), { keepUntil });
    await store.putBatches([batchRecord("s1", 1)], { keepUntil });
    const ttlOf = async (SK: string) =>
      (await dynamo.documents.send(new GetCommand({ TableName: tableName, Key: { PK: "SESSION#s1", SK } }))).Item?.ttl;

    expect([await ttlOf("META"), await ttlOf("BATCH#000001")]).toEqual([
      keepUntil / 1000 + 7 * 86_400,
      keepUntil / 1000 + 7 * 86_400,
    ]);
  });

  it("writes 1,300 batches and lists them all in batch order", async () => {
    const { store } = await newStore();
    await store.putBatches(Array.from({ length: 1_300 }, (_, i) => batchRecord("s1", i)));

    const listed: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listBatches("s1", { limit: 500, cursor });
      listed.push(...page.items.map((b) => b.batch));
      cursor = page.cursor;
    } while (cursor !== undefined);

    expect(listed).toEqual(Array.from({ length: 1_300 }, (_, i) => i));
  });

  it("wraps a failure of DynamoDB in a StoreError naming the operation and the table", async () => {
    const store = new DynamoSessionStore({ client: dynamo.documents, tableName: "no-such-table", clock: () => NOW });

    const error = await store.getSession("s1").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ operation: "GetItem", tableName: "no-such-table" });
    expect((error as StoreError).cause).toBeInstanceOf(Error);
  });
});

/** Where moto 5.2 falls short of DynamoDB (see the contract's options). */
const MOTO_QUIRKS = { serializesRaces: false };

describe(`DynamoSessionStore on moto_server`, () => {
  let moto: RunningMoto;
  let client: DynamoDBClient;
  let documents: DynamoDBDocumentClient;
  let tables = 0;

  beforeAll(async () => {
    moto = await startMoto();
    client = new DynamoDBClient({ ...localClientConfig(moto.endpoint), maxAttempts: 1 });
    documents = DynamoDBDocumentClient.from(client);
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  describe("the SessionStore contract", () => {
    sessionStoreContract(async () => {
      const tableName = `dq-moto-${++tables}`;
      await createTable(client, tableName);
      return new DynamoSessionStore({ client: documents, tableName, clock: () => NOW });
    }, MOTO_QUIRKS);
  });
});
