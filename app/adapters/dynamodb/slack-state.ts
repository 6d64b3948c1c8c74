import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { Mute, SlackState, SummaryRecord, UniverseSnapshot } from "../../slack/ports.ts";
import { TABLE } from "../../wiring.ts";
import { isConditionalCheckFailed, reasonOf, StoreError } from "./errors.ts";

export interface DynamoSlackStateOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Days a universe's last failures are kept after its last session. @default 35 */
  snapshotDays?: number;
  /** Days a session's posting record is kept. @default 7 */
  summaryDays?: number;
}

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;
const TTL = TABLE.ttlAttribute;
/** Every Slack item's partition starts with this, apart from the pipeline's `SESSION#` and `LEDGER#` items. */
export const SLACK_PREFIX = "SLACK#";
const MUTES_PK = `${SLACK_PREFIX}MUTES`;
const DAY_S = 86_400;

type Item = Record<string, unknown>;

/**
 * SlackState in dq's table: a mute is `SLACK#MUTES / MUTE#<symbol>` (kept a day past its end by TTL), a universe's
 * last two snapshots are `SLACK#UNIVERSE#<key> / LAST`, a session's posting record is `SLACK#SUMMARY#<id> / SUMMARY`.
 * Single-item conditional writes only, as the rest of the table; nothing is deleted, items leave through TTL.
 */
export class DynamoSlackState implements SlackState {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #snapshotSeconds: number;
  readonly #summarySeconds: number;

  constructor(options: DynamoSlackStateOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#snapshotSeconds = (options.snapshotDays ?? 35) * DAY_S;
    this.#summarySeconds = (options.summaryDays ?? 7) * DAY_S;
  }

  async mute(mute: Mute): Promise<void> {
    await this.#call("PutItem", MUTES_PK, () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            [PK]: MUTES_PK,
            [SK]: `MUTE#${mute.symbol}`,
            ...mute,
            [TTL]: seconds(Date.parse(mute.until)) + DAY_S,
          },
        }),
      ),
    );
  }

  async unmute(symbol: string, now: number): Promise<boolean> {
    return this.#call("UpdateItem", MUTES_PK, async () => {
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { [PK]: MUTES_PK, [SK]: `MUTE#${symbol}` },
            UpdateExpression: "SET #until = :now, #ttl = :ttl",
            ConditionExpression: "attribute_exists(#pk) AND #until > :now",
            ExpressionAttributeNames: { "#until": "until", "#ttl": TTL, "#pk": PK },
            ExpressionAttributeValues: { ":now": new Date(now).toISOString(), ":ttl": seconds(now) + DAY_S },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    });
  }

  async activeMutes(now: number): Promise<Mute[]> {
    const mutes: Mute[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#call("Query", MUTES_PK, () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: "#pk = :pk",
            ExpressionAttributeNames: { "#pk": PK },
            ExpressionAttributeValues: { ":pk": MUTES_PK },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const mute = { symbol: item.symbol, until: item.until, by: item.by, at: item.at } as Mute;
        // TTL removes an item up to days late: the end decides.
        if (Date.parse(mute.until) > now) mutes.push(mute);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return mutes.sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  async previousSnapshot(universe: string, sessionId: string): Promise<UniverseSnapshot | undefined> {
    const item = await this.#get(universeKey(universe));
    if (!item) return undefined;
    const current = item.current as UniverseSnapshot | undefined;
    return current?.sessionId === sessionId ? (item.previous as UniverseSnapshot | undefined) : current;
  }

  async recordSnapshot(universe: string, snapshot: UniverseSnapshot): Promise<void> {
    const key = universeKey(universe);
    for (let attempt = 0; attempt < 5; attempt++) {
      const item = await this.#get(key);
      const current = item?.current as UniverseSnapshot | undefined;
      const previous = item?.previous as UniverseSnapshot | undefined;
      // The same session again (a redelivered event), or an older one arriving late: nothing to record.
      if (current?.sessionId === snapshot.sessionId || previous?.sessionId === snapshot.sessionId) return;
      if (current && current.finishedAt > snapshot.finishedAt) return;
      const written = await this.#call("PutItem", `${key[PK]}`, async () => {
        try {
          await this.#client.send(
            new PutCommand({
              TableName: this.#table,
              Item: {
                ...key,
                current: snapshot,
                ...(current ? { previous: current } : {}),
                [TTL]: seconds(Date.now()) + this.#snapshotSeconds,
              },
              ConditionExpression: current ? "#current.#session = :expected" : "attribute_not_exists(#pk)",
              ExpressionAttributeNames: current ? { "#current": "current", "#session": "sessionId" } : { "#pk": PK },
              ...(current ? { ExpressionAttributeValues: { ":expected": current.sessionId } } : {}),
            }),
          );
          return true;
        } catch (error) {
          if (isConditionalCheckFailed(error)) return false;
          throw error;
        }
      });
      if (written) return;
    }
  }

  async claimSummary(sessionId: string, now: number, staleMs: number): Promise<SummaryRecord | undefined> {
    const key = summaryKey(sessionId);
    const claimedAt = new Date(now).toISOString();
    const existing = await this.#get(key);
    if (existing) {
      const record = recordOf(existing);
      if (record.done || Date.parse(record.claimedAt) > now - staleMs) return undefined;
      // An unfinished posting whose claim has run out (or was released): taken over from where it stopped.
      const taken = await this.#conditional("UpdateItem", key, () =>
        this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            UpdateExpression: "SET claimedAt = :now",
            ConditionExpression: "claimedAt = :old",
            ExpressionAttributeValues: { ":now": claimedAt, ":old": record.claimedAt },
          }),
        ),
      );
      return taken ? { ...record, claimedAt } : undefined;
    }
    const record: SummaryRecord = { sessionId, claimedAt, threadPosted: 0 };
    const created = await this.#conditional("PutItem", key, () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...key, ...record, [TTL]: seconds(now) + this.#summarySeconds },
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": PK },
        }),
      ),
    );
    return created ? record : undefined;
  }

  async saveSummary(record: SummaryRecord): Promise<void> {
    const key = summaryKey(record.sessionId);
    await this.#call("PutItem", String(key[PK]), () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...key, ...withoutUndefined(record), [TTL]: seconds(Date.now()) + this.#summarySeconds },
        }),
      ),
    );
  }

  async releaseSummary(sessionId: string): Promise<void> {
    const key = summaryKey(sessionId);
    await this.#conditional("UpdateItem", key, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: "SET claimedAt = :epoch",
          ConditionExpression: "attribute_exists(#pk)",
          ExpressionAttributeNames: { "#pk": PK },
          ExpressionAttributeValues: { ":epoch": new Date(0).toISOString() },
        }),
      ),
    );
  }

  async #get(key: Item): Promise<Item | undefined> {
    const out = await this.#call("GetItem", String(key[PK]), () =>
      this.#client.send(new GetCommand({ TableName: this.#table, Key: key, ConsistentRead: true })),
    );
    return out.Item;
  }

  /** A conditional write: false when its condition did not hold. */
  async #conditional(operation: string, key: Item, send: () => Promise<unknown>): Promise<boolean> {
    return this.#call(operation, String(key[PK]), async () => {
      try {
        await send();
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    });
  }

  async #call<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new StoreError(operation, this.#table, key, reasonOf(error), { cause: error });
    }
  }
}

function universeKey(universe: string): Item {
  return { [PK]: `${SLACK_PREFIX}UNIVERSE#${universe}`, [SK]: "LAST" };
}

function summaryKey(sessionId: string): Item {
  return { [PK]: `${SLACK_PREFIX}SUMMARY#${sessionId}`, [SK]: "SUMMARY" };
}

function recordOf(item: Item): SummaryRecord {
  return {
    sessionId: String(item.sessionId),
    claimedAt: String(item.claimedAt),
    threadPosted: Number(item.threadPosted ?? 0),
    ...(typeof item.channel === "string" ? { channel: item.channel } : {}),
    ...(typeof item.ts === "string" ? { ts: item.ts } : {}),
    ...(item.done === true ? { done: true } : {}),
  };
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
