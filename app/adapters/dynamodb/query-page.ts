import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { ExpressionBuilder } from "./expression.ts";
import { type Item, keyOf } from "./items.ts";

export interface PageQuery {
  tableName: string;
  indexName?: string;
  keyCondition: string;
  filter?: string;
  expression: ExpressionBuilder;
  /** Matching items wanted. */
  limit: number;
  startKey?: Item;
  /** @default true */
  forward?: boolean;
  /** The attributes of a LastEvaluatedKey: the table's keys, plus the index's for an index query. */
  keyAttributes: readonly string[];
}

/** With a filter, Query's Limit counts items read before filtering: read at least this many per call. */
const FILTERED_READ = 100;

/**
 * Up to `limit` matching items and, if more may follow, the key of the last one returned. Pages through Query
 * internally, because a filtered page may match few or none of what it read. Reads one item beyond the limit
 * where it can, so the last page of an unfiltered listing carries no cursor.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  query: PageQuery,
): Promise<{ items: Item[]; lastKey?: Item }> {
  if (!Number.isInteger(query.limit) || query.limit < 1)
    throw new RangeError(`limit must be a positive integer, not ${query.limit}`);
  const items: Item[] = [];
  let startKey = query.startKey;
  const last = () => ({ items, lastKey: keyOf(items.at(-1) as Item, query.keyAttributes) });
  for (;;) {
    const need = query.limit - items.length;
    const out = await client.send(
      new QueryCommand({
        TableName: query.tableName,
        IndexName: query.indexName,
        KeyConditionExpression: query.keyCondition,
        FilterExpression: query.filter,
        ...query.expression.params(),
        ScanIndexForward: query.forward ?? true,
        // An index cannot be read consistently; the table can, and the pump needs to see its own writes.
        ConsistentRead: query.indexName === undefined,
        Limit: query.filter === undefined ? need + 1 : Math.max(need + 1, FILTERED_READ),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) {
      if (items.length === query.limit) return last();
      items.push(item);
    }
    if (out.LastEvaluatedKey === undefined) return { items };
    if (items.length === query.limit) return last();
    startKey = out.LastEvaluatedKey;
  }
}

/** Opaque to callers: base64url of the JSON key. */
export function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/**
 * The key a cursor holds, if it has exactly the expected string attributes and `check` accepts it;
 * undefined for anything else (a cursor from another listing, a truncated or forged one).
 */
export function decodeCursor(
  cursor: string,
  attributes: readonly string[],
  check: (key: Item) => boolean,
): Item | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const key = parsed as Item;
  const names = Object.keys(key);
  if (names.length !== attributes.length || !attributes.every((name) => typeof key[name] === "string"))
    return undefined;
  return check(key) ? key : undefined;
}
