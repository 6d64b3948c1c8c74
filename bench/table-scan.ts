import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { localClientConfig } from "../local/aws/env.ts";
import { dynamoItemSize, itemKind } from "./item-size.ts";

export interface TableSurvey {
  /** The largest item of each kind (session, batch, result, ledger), bytes as DynamoDB counts them. */
  largestByKind: Record<string, number>;
  largest: { kind: string; bytes: number };
  /** RESULT# items per session id. */
  resultsBySession: Record<string, number>;
  batches: BatchTimes[];
  items: number;
}

/** A batch item's timing, stack-clock ms: its credit slot, its (last) claim, and when its results were validated. */
export interface BatchTimes {
  sessionId: string;
  symbols: number;
  status: string;
  /** 1 for a batch that never went back to pending; more for one re-reserved (a split, a 429, an expired slot). */
  attempt: number;
  slotStart?: number;
  startedAt?: number;
  finishedAt?: number;
}

/** Scans the whole table at the end of a run (outside the metered clients) for item sizes and stored results. */
export async function surveyTable(endpoint: string, tableName: string): Promise<TableSurvey> {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const survey: TableSurvey = {
    largestByKind: {},
    largest: { kind: "none", bytes: 0 },
    resultsBySession: {},
    batches: [],
    items: 0,
  };
  let start: Record<string, AttributeValue> | undefined;
  try {
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        survey.items++;
        const kind = itemKind(item);
        const bytes = dynamoItemSize(item);
        survey.largestByKind[kind] = Math.max(survey.largestByKind[kind] ?? 0, bytes);
        if (bytes > survey.largest.bytes) survey.largest = { kind, bytes };
        const session = (item.PK?.S ?? "").replace(/^SESSION#/, "");
        if (kind === "result") survey.resultsBySession[session] = (survey.resultsBySession[session] ?? 0) + 1;
        if (kind === "batch") survey.batches.push(batchTimes(session, item));
      }
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    client.destroy();
  }
  return survey;
}

function batchTimes(sessionId: string, item: Record<string, AttributeValue>): BatchTimes {
  const instant = (value: AttributeValue | undefined) => (value?.S ? Date.parse(value.S) : undefined);
  const slotStart = item.slotStart?.N === undefined ? undefined : Number(item.slotStart.N);
  const startedAt = instant(item.startedAt);
  const finishedAt = instant(item.finishedAt);
  return {
    sessionId,
    symbols: item.symbols?.L?.length ?? 0,
    status: item.status?.S ?? "unknown",
    attempt: Number(item.attempt?.N ?? 1),
    ...(slotStart === undefined ? {} : { slotStart }),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
  };
}
