import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { backoffDelay, mapConcurrent, pause } from "./backoff.ts";
import { StoreError } from "./errors.ts";
import type { Item } from "./items.ts";

export interface BatchIoOptions {
  /** Chunks in flight at once. @default 8 */
  concurrency?: number;
  /** Calls per chunk before unprocessed items become an error. @default 8 */
  maxAttempts?: number;
  /** First backoff ceiling; doubles per attempt up to 2 s. @default 50 */
  baseDelayMs?: number;
}

/** BatchWriteItem's limit. */
const WRITE_CHUNK = 25;
/** BatchGetItem's limit. */
const GET_CHUNK = 100;

/**
 * Puts every item, 25 per BatchWriteItem, chunks in parallel. DynamoDB may leave items unprocessed under
 * throttling; those are retried with backoff, and a chunk still incomplete after the last attempt is an error,
 * never a silent loss. Keys must be unique within `items`.
 */
export async function putAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  options: BatchIoOptions = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 50;
  await mapConcurrent(chunk(items, WRITE_CHUNK), options.concurrency ?? 8, async (items) => {
    let requests = items.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 0; ; attempt++) {
      const out = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      const unprocessed = out.UnprocessedItems?.[tableName] ?? [];
      if (unprocessed.length === 0) return;
      if (attempt + 1 >= maxAttempts)
        throw new StoreError(
          "BatchWriteItem",
          tableName,
          undefined,
          `${unprocessed.length} items still unprocessed after ${maxAttempts} attempts`,
        );
      requests = unprocessed as typeof requests;
      await pause(backoffDelay(attempt, baseDelayMs, 2_000));
    }
  });
}

/** Reads the items of `keys` (consistent reads, 100 per BatchGetItem, unprocessed keys retried); absent keys are left out. */
export async function getAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  options: BatchIoOptions = {},
): Promise<Item[]> {
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const pages = await mapConcurrent(chunk(keys, GET_CHUNK), options.concurrency ?? 8, async (keys) => {
    const found: Item[] = [];
    let pending: Item[] = [...keys];
    for (let attempt = 0; ; attempt++) {
      const out = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (pending.length === 0) return found;
      if (attempt + 1 >= maxAttempts)
        throw new StoreError(
          "BatchGetItem",
          tableName,
          undefined,
          `${pending.length} keys still unprocessed after ${maxAttempts} attempts`,
        );
      await pause(backoffDelay(attempt, baseDelayMs, 2_000));
    }
  });
  return pages.flat();
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
