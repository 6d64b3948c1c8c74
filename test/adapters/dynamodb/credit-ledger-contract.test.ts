import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe } from "vitest";
import { DynamoCreditLedger } from "../../../app/adapters/dynamodb/credit-ledger.ts";
import { createTable } from "../../../local/aws/dynamodb.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { creditLedgerContract } from "../../contracts/credit-ledger.contract.ts";
import { type LocalDynamo, startLocalDynamo } from "../../helpers/local-dynamo.ts";
import { type RunningMoto, startMoto } from "../../helpers/moto-server.ts";

describe("DynamoCreditLedger on dynalite: the CreditLedger contract", () => {
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  creditLedgerContract(async (options) => {
    const tableName = await dynamo.table();
    return () => new DynamoCreditLedger({ client: dynamo.documents, tableName, account: "acct1", ...options });
  });
});

describe(`DynamoCreditLedger on moto_server: the CreditLedger contract`, () => {
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

  // moto checks a condition and writes without a lock: the racing reservers run on DynamoDB's other emulator.
  creditLedgerContract(
    async (options) => {
      const tableName = `dq-moto-ledger-${++tables}`;
      await createTable(client, tableName);
      return () => new DynamoCreditLedger({ client: documents, tableName, account: "acct1", ...options });
    },
    { serializesRaces: false },
  );
});
