import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { CoverageFigures, CoverageRound, SymbolCoverage } from "../../pipeline/coverage.ts";
import type { CoverageStore } from "../../pipeline/coverage-store.ts";
import { putAll } from "./batch-io.ts";
import { isConditionalCheckFailed, reasonOf, StoreError } from "./errors.ts";
import { type Item, META, PK, SK, TTL, withoutUndefined } from "./items.ts";

export interface DynamoCoverageStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

const SYMBOL_PREFIX = "SYMBOL#";
const coveragePk = (universe: string) => `COVERAGE#${universe}`;
const symbolSk = (symbol: string) => `${SYMBOL_PREFIX}${symbol}`;
/** Attributes of the layout, never of a record. */
const LAYOUT = [PK, SK, TTL, "type"];

/**
 * Coverage on the session table: per universe one `META` item (rounds, figures) and one small `SYMBOL#<symbol>` item
 * per checked symbol (about 150 bytes, so a write is one WCU). States are written 25 to a BatchWriteItem.
 */
export class DynamoCoverageStore implements CoverageStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: DynamoCoverageStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async openRound(
    universe: string,
    sessionId: string,
    at: string,
    keepUntil: number,
    budget: number,
  ): Promise<CoverageRound> {
    const key = { [PK]: coveragePk(universe), [SK]: META };
    try {
      const out = await this.#call("UpdateItem", universe, () =>
        this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: key,
            // A universe's first round is 1; a start retried for the same session does not count a round again.
            UpdateExpression:
              "SET #session = :session, #openedAt = :at, #universe = :universe, #ttl = :ttl, #budget = :budget, " +
              "#first = if_not_exists(#first, :one) ADD #round :one",
            ConditionExpression: "attribute_not_exists(#session) OR #session <> :session",
            ExpressionAttributeNames: {
              "#session": "sessionId",
              "#openedAt": "openedAt",
              "#universe": "universe",
              "#ttl": TTL,
              "#first": "firstRound",
              "#round": "round",
              "#budget": "budget",
            },
            ExpressionAttributeValues: {
              ":session": sessionId,
              ":at": at,
              ":universe": universe,
              ":ttl": Math.floor(keepUntil / 1000),
              ":one": 1,
              ":budget": budget,
            },
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      return toRound(out.Attributes as Item);
    } catch (error) {
      if (!isConditionalCheckFailed(error) && !isConditionalCheckFailed((error as Error).cause)) throw error;
      const round = await this.getRound(universe);
      if (!round) throw new StoreError("UpdateItem", this.#table, coveragePk(universe), "round vanished");
      return round;
    }
  }

  async getRound(universe: string): Promise<CoverageRound | undefined> {
    const out = await this.#call("GetItem", universe, () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#table,
          Key: { [PK]: coveragePk(universe), [SK]: META },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? toRound(out.Item) : undefined;
  }

  async saveFigures(universe: string, figures: CoverageFigures): Promise<void> {
    try {
      await this.#call("UpdateItem", universe, () =>
        this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { [PK]: coveragePk(universe), [SK]: META },
            UpdateExpression: "SET #figures = :figures, #figuresRound = :round",
            // Only onto an existing round item, and never over the figures of a later round.
            ConditionExpression:
              "attribute_exists(#pk) AND (attribute_not_exists(#figuresRound) OR #figuresRound <= :round)",
            ExpressionAttributeNames: { "#figures": "figures", "#figuresRound": "figuresRound", "#pk": PK },
            ExpressionAttributeValues: { ":figures": withoutUndefined(figures), ":round": figures.round },
          }),
        ),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error) || isConditionalCheckFailed((error as Error).cause)) return;
      throw error;
    }
  }

  async listStates(universe: string): Promise<SymbolCoverage[]> {
    const states: SymbolCoverage[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.#call("Query", universe, () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames: { "#pk": PK, "#sk": SK },
            ExpressionAttributeValues: { ":pk": coveragePk(universe), ":prefix": SYMBOL_PREFIX },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of out.Items ?? [])
        if (item.removed !== true) states.push(strip(item) as unknown as SymbolCoverage);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return states;
  }

  async putStates(universe: string, states: readonly SymbolCoverage[], keepUntil: number): Promise<void> {
    const ttl = Math.floor(keepUntil / 1000);
    // Last one wins, as separate puts would; BatchWriteItem refuses a key twice in one call.
    const unique = new Map(states.map((s) => [s.symbol, s]));
    const items = [...unique.values()].map((state) =>
      withoutUndefined({
        [PK]: coveragePk(universe),
        [SK]: symbolSk(state.symbol),
        type: "coverage",
        [TTL]: ttl,
        ...state,
      }),
    );
    await this.#call("BatchWriteItem", universe, () => putAll(this.#client, this.#table, items));
  }

  async removeStates(universe: string, symbols: readonly string[], at: number): Promise<void> {
    // No DeleteItem (the functions may not delete; items leave through TTL): each becomes a marker that listings
    // skip, gone a day later.
    const ttl = Math.floor(at / 1000) + 86_400;
    const items = [...new Set(symbols)].map((symbol) => ({
      [PK]: coveragePk(universe),
      [SK]: symbolSk(symbol),
      type: "coverage",
      [TTL]: ttl,
      symbol,
      removed: true,
    }));
    await this.#call("BatchWriteItem", universe, () => putAll(this.#client, this.#table, items));
  }

  async #call<T>(operation: string, universe: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(operation, this.#table, coveragePk(universe), reasonOf(error), { cause: error });
    }
  }
}

function strip(item: Item): Item {
  const copy = { ...item };
  for (const name of LAYOUT) delete copy[name];
  return copy;
}

function toRound(item: Item): CoverageRound {
  const figures = item.figures as CoverageFigures | undefined;
  return {
    universe: String(item.universe),
    round: Number(item.round),
    sessionId: String(item.sessionId),
    openedAt: String(item.openedAt),
    firstRound: Number(item.firstRound ?? item.round),
    ...(item.budget === undefined ? {} : { budget: Number(item.budget) }),
    ...(figures ? { figures } : {}),
  };
}
