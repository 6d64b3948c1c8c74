import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createTable, startDynalite } from "../../local/aws/dynamodb.ts";
import { localClientConfig } from "../../local/aws/env.ts";

/** dynalite on a loopback port, with a fresh dq table per `table()` call so tests never share items. */
export interface LocalDynamo {
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  /** Creates a new, empty table and returns its name. */
  table(): Promise<string>;
  stop(): Promise<void>;
}

export async function startLocalDynamo(): Promise<LocalDynamo> {
  const server = await startDynalite();
  const client = new DynamoDBClient({ ...localClientConfig(server.endpoint), maxAttempts: 1 });
  const documents = DynamoDBDocumentClient.from(client);
  let tables = 0;
  return {
    client,
    documents,
    async table() {
      const name = `dq-test-${++tables}`;
      await createTable(client, name);
      return name;
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
