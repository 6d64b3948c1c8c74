import type { AwsClient } from "../app/runtime/pipeline-runtime.ts";

const DYNAMO_READS = new Set(["GetItem", "Query", "Scan", "BatchGetItem"]);
const DYNAMO_WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]);

/** What the pipeline's SDK clients asked of AWS, as billed. */
export interface AwsUsage {
  /** API calls by `Service.Command`, e.g. `DynamoDB.UpdateItem`. */
  requests: Record<string, number>;
  dynamo: {
    /** Items read: GetItem, Query and Scan calls, and each key of a BatchGetItem. */
    reads: number;
    /** Items written: PutItem, UpdateItem and DeleteItem calls, and each item of a BatchWriteItem. */
    writes: number;
    /** Read request units (strongly consistent: 1 per 4 KB read), from DynamoDB's ConsumedCapacity. */
    readUnits: number;
    /** Write request units (1 per KB written), with the index write of every session item and 1 per failed condition. */
    writeUnits: number;
    failedConditions: number;
  };
  /** SendMessage entries (SendMessageBatch counts each entry). */
  sqsSends: number;
  /** PutEvents entries. */
  eventBridgeEvents: number;
}

type AnyRecord = Record<string, unknown>;
type Handler = (args: { input: unknown }) => Promise<{ output: unknown }>;

/**
 * Counts every request of the SDK clients it instruments (the local stack's `instrumentClient` hook), before the
 * request is serialized, so a call counts once whatever the SDK's retries do. DynamoDB calls are asked for their
 * ConsumedCapacity (TOTAL), which dynalite computes from item sizes as DynamoDB does.
 */
export class AwsMeter {
  #usage: AwsUsage = emptyUsage();

  readonly instrument = (client: AwsClient): void => {
    const middleware =
      (next: Handler, context: { clientName?: string; commandName?: string }) => async (args: { input: unknown }) => {
        const service = (context.clientName ?? "Unknown").replace(/Client$/, "");
        const command = (context.commandName ?? "Unknown").replace(/Command$/, "");
        const input = args.input as AnyRecord;
        if (service === "DynamoDB" && (DYNAMO_READS.has(command) || DYNAMO_WRITES.has(command)))
          input.ReturnConsumedCapacity = "TOTAL";
        this.#count(service, command, input);
        try {
          const result = await next(args);
          if (service === "DynamoDB") this.#capacity(command, input, result.output as unknown as AnyRecord);
          return result;
        } catch (error) {
          if (service === "DynamoDB" && (error as Error).name === "ConditionalCheckFailedException") {
            this.#usage.dynamo.failedConditions++;
            // A failed condition still consumes write capacity: one unit for the small items dq writes.
            if (DYNAMO_WRITES.has(command)) this.#usage.dynamo.writeUnits++;
          }
          throw error;
        }
      };
    // Before the serializer (same step, higher priority): the input can still gain ReturnConsumedCapacity.
    client.middlewareStack.add(middleware as never, { step: "serialize", priority: "high", name: "dqBenchAwsMeter" });
  };

  /** The usage since the last reset. */
  usage(): AwsUsage {
    return structuredClone(this.#usage);
  }

  reset(): void {
    this.#usage = emptyUsage();
  }

  #count(service: string, command: string, input: AnyRecord): void {
    const u = this.#usage;
    const key = `${service}.${command}`;
    u.requests[key] = (u.requests[key] ?? 0) + 1;
    if (service === "DynamoDB") {
      if (command === "BatchGetItem") u.dynamo.reads += batchEntries(input, (table) => (table as AnyRecord).Keys);
      else if (command === "BatchWriteItem") u.dynamo.writes += batchEntries(input, (table) => table);
      else if (DYNAMO_READS.has(command)) u.dynamo.reads++;
      else if (DYNAMO_WRITES.has(command)) u.dynamo.writes++;
    } else if (service === "SQS") {
      if (command === "SendMessage") u.sqsSends++;
      if (command === "SendMessageBatch") u.sqsSends += (input.Entries as unknown[] | undefined)?.length ?? 0;
    } else if (service === "EventBridge" && command === "PutEvents") {
      u.eventBridgeEvents += (input.Entries as unknown[] | undefined)?.length ?? 0;
    }
  }

  #capacity(command: string, input: AnyRecord, output: AnyRecord | undefined): void {
    const consumed = output?.ConsumedCapacity;
    const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as { CapacityUnits?: number }[];
    const units = entries.reduce((total, entry) => total + (entry.CapacityUnits ?? 0), 0);
    if (DYNAMO_READS.has(command)) this.#usage.dynamo.readUnits += units;
    if (DYNAMO_WRITES.has(command)) {
      // dynalite reports the table's units only; the sessions index (projection ALL) is written with every
      // session item, so DynamoDB bills that write twice.
      this.#usage.dynamo.writeUnits += units * (touchesSessionItem(command, input) ? 2 : 1);
    }
  }
}

function emptyUsage(): AwsUsage {
  return {
    requests: {},
    dynamo: { reads: 0, writes: 0, readUnits: 0, writeUnits: 0, failedConditions: 0 },
    sqsSends: 0,
    eventBridgeEvents: 0,
  };
}

function batchEntries(input: AnyRecord, entriesOf: (table: unknown) => unknown): number {
  const tables = Object.values((input.RequestItems ?? {}) as AnyRecord);
  return tables.reduce<number>((total, table) => total + ((entriesOf(table) as unknown[] | undefined)?.length ?? 0), 0);
}

function touchesSessionItem(command: string, input: AnyRecord): boolean {
  const key = (command === "PutItem" ? input.Item : input.Key) as Record<string, { S?: string }> | undefined;
  return key?.SK?.S === "META" && (key.PK?.S ?? "").startsWith("SESSION#");
}
