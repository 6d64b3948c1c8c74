import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { TABLE } from "../../app/wiring.ts";
import { EmulatorStartError, LocalAwsError } from "./errors.ts";
import type { LoopbackServer } from "./http-server.ts";

export interface DynaliteOptions {
  /** @default 0: the OS picks a free port */
  port?: number;
  /** LevelDB directory that keeps the data between runs. @default in memory */
  path?: string;
}

/** dynalite in this process, in memory, on 127.0.0.1. Tables become ACTIVE at once. */
export async function startDynalite(options: DynaliteOptions = {}): Promise<LoopbackServer> {
  const server = dynalite({
    path: options.path,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw new EmulatorStartError("dynalite", { cause: error });
  }
  const address = server.address();
  if (address === null || typeof address === "string") throw new EmulatorStartError("dynalite");
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A table that did not become ACTIVE in time. */
export class TableNotActiveError extends LocalAwsError {
  override name = "TableNotActiveError";
  readonly tableName: string;
  constructor(tableName: string, status: string | undefined) {
    super(`table ${tableName} is ${status ?? "missing"}, not ACTIVE, after waiting`);
    this.tableName = tableName;
  }
}

export interface CreateTableOptions {
  /** @default 10000 */
  timeoutMs?: number;
}

/**
 * Creates the dq table as infra declares it (keys and index from the wiring module, on-demand billing, TTL on
 * `ttl`) and waits until it is ACTIVE. An existing table is left as it is. TTL is skipped where the emulator has
 * no UpdateTimeToLive (dynalite): expiry never matters within a local run.
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateTableOptions = {},
): Promise<void> {
  const index = TABLE.sessionsIndex;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: TABLE.partitionKey, AttributeType: "S" },
          { AttributeName: TABLE.sortKey, AttributeType: "S" },
          { AttributeName: index.partitionKey, AttributeType: "S" },
          { AttributeName: index.sortKey, AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: "HASH" },
          { AttributeName: TABLE.sortKey, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: "HASH" },
              { AttributeName: index.sortKey, KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(client, tableName, options.timeoutMs ?? 10_000);
  await enableTtl(client, tableName);
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((gsi) => gsi.IndexStatus === "ACTIVE");
    if (Table?.TableStatus === "ACTIVE" && indexesActive) return;
    if (Date.now() >= deadline) throw new TableNotActiveError(tableName, Table?.TableStatus);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    // dynalite: UnknownOperationException. A second enable on DynamoDB: TTL is already on.
    if (name === "UnknownOperationException") return;
    if (name === "ValidationException" && /already enabled/i.test((error as Error).message)) return;
    throw error;
  }
}
