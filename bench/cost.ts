import { FUNCTIONS, type FunctionName } from "../app/wiring.ts";
import type { PhaseUsage } from "./bench-stack.ts";

/**
 * AWS list prices, us-east-1, on-demand, without free tiers. DynamoDB's are those after the November 2024
 * on-demand price cut. Sources: aws.amazon.com/dynamodb/pricing/on-demand, /sqs/pricing, /eventbridge/pricing,
 * /lambda/pricing (Arm), as of 2025.
 */
export const PRICES = {
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  eventBridgeEvent: 1.0 / 1e6,
  schedulerInvocation: 1.0 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
} as const;

export interface PhaseCounts {
  dynamoReads: number;
  dynamoWrites: number;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  /**
   * Billed here: SendMessage, the receives that brought a message, and DeleteMessageBatch. An event source
   * mapping's empty long polls go on whether or not a run is in progress (a standing cost, see the README), and
   * locally they poll every second instead of every 20 s, so they are counted apart and not priced per run.
   */
  sqsRequests: number;
  sqsSends: number;
  /** Receives that brought a message. */
  sqsReceives: number;
  sqsEmptyReceives: number;
  eventBridgeEvents: number;
  schedulerInvocations: number;
  lambdaInvocations: Partial<Record<FunctionName, number>>;
  /** Billed duration x configured memory (wiring FUNCTIONS), GB-s. */
  lambdaGbSeconds: number;
  /** The same, by function: where the Lambda time goes. */
  lambdaGbSecondsBy: Partial<Record<FunctionName, number>>;
}

export interface PhaseCost {
  dynamo: number;
  sqs: number;
  eventBridge: number;
  scheduler: number;
  lambda: number;
  total: number;
}

export function countsOf(usage: PhaseUsage): PhaseCounts {
  const lambdaInvocations: PhaseCounts["lambdaInvocations"] = {};
  const lambdaGbSecondsBy: PhaseCounts["lambdaGbSecondsBy"] = {};
  let gbSeconds = 0;
  for (const i of usage.invocations) {
    lambdaInvocations[i.functionName] = (lambdaInvocations[i.functionName] ?? 0) + 1;
    // Lambda bills duration rounded up to the millisecond.
    const billed = (Math.ceil(i.ms) / 1000) * (FUNCTIONS[i.functionName].memoryMb / 1024);
    gbSeconds += billed;
    lambdaGbSecondsBy[i.functionName] = (lambdaGbSecondsBy[i.functionName] ?? 0) + billed;
  }
  const sqsSends = usage.aws.sqsSends;
  return {
    dynamoReads: usage.aws.dynamo.reads,
    dynamoWrites: usage.aws.dynamo.writes,
    dynamoReadUnits: usage.aws.dynamo.readUnits,
    dynamoWriteUnits: usage.aws.dynamo.writeUnits,
    sqsRequests: sqsSends + (usage.sqsReceives - usage.sqsEmptyReceives) + usage.sqsDeletes,
    sqsSends,
    sqsReceives: usage.sqsReceives - usage.sqsEmptyReceives,
    sqsEmptyReceives: usage.sqsEmptyReceives,
    eventBridgeEvents: usage.aws.eventBridgeEvents,
    schedulerInvocations: usage.schedulerInvocations,
    lambdaInvocations,
    lambdaGbSeconds: gbSeconds,
    lambdaGbSecondsBy,
  };
}

export function costOf(counts: PhaseCounts): PhaseCost {
  const invocations = Object.values(counts.lambdaInvocations).reduce((n, v) => n + (v ?? 0), 0);
  const cost = {
    dynamo: counts.dynamoReadUnits * PRICES.dynamoReadUnit + counts.dynamoWriteUnits * PRICES.dynamoWriteUnit,
    sqs: counts.sqsRequests * PRICES.sqsRequest,
    eventBridge: counts.eventBridgeEvents * PRICES.eventBridgeEvent,
    scheduler: counts.schedulerInvocations * PRICES.schedulerInvocation,
    lambda: invocations * PRICES.lambdaRequest + counts.lambdaGbSeconds * PRICES.lambdaArmGbSecond,
  };
  return { ...cost, total: cost.dynamo + cost.sqs + cost.eventBridge + cost.scheduler + cost.lambda };
}
