import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoCoverageStore } from "../../../app/adapters/dynamodb/coverage-store.ts";
import { COVERAGE_NOW, coverageStoreContract, symbolState } from "../../contracts/coverage-store.contract.ts";
import { type LocalDynamo, startLocalDynamo } from "../../helpers/local-dynamo.ts";

describe("DynamoCoverageStore on dynalite", () => {
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  async function newStore(): Promise<{ store: DynamoCoverageStore; tableName: string }> {
    const tableName = await dynamo.table();
    return { store: new DynamoCoverageStore({ client: dynamo.documents, tableName }), tableName };
  }

  describe("the CoverageStore contract", () => {
    coverageStoreContract(async () => (await newStore()).store);
  });

  it("keeps a symbol's state as one small item of its universe's partition, with its ttl", async () => {
    const { store, tableName } = await newStore();
    const keepUntil = COVERAGE_NOW + 40 * 86_400_000;
    await store.putStates("abc", [symbolState("AAPL")], keepUntil);

    const { Item } = await dynamo.documents.send(
      new GetCommand({ TableName: tableName, Key: { PK: "COVERAGE#abc", SK: "SYMBOL#AAPL" } }),
    );

    expect(Item?.ttl).toBe(keepUntil / 1000);
    expect(Buffer.byteLength(JSON.stringify(Item))).toBeLessThan(300);
  });
});
