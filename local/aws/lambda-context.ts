import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { FUNCTIONS, type FunctionName, resourceNames } from "../../app/wiring.ts";
import type { LocalFunction } from "./functions.ts";
import { localFunctionArn } from "./functions.ts";

export interface LambdaContextOptions {
  /** @default "local" */
  stack?: string;
  /** @default Date.now */
  clock?: () => number;
}

/** The Lambda context a handler would receive for one invocation of `functionName`, with its wiring timeout. */
export function lambdaContext(functionName: FunctionName, options: LambdaContextOptions = {}): Context {
  const stack = options.stack ?? "local";
  const clock = options.clock ?? Date.now;
  const physicalName = resourceNames(stack).function(functionName);
  const deadline = clock() + FUNCTIONS[functionName].timeoutSeconds * 1000;
  const unsupported = () => {
    throw new Error("the callback-style context methods are not supported locally; return a promise");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: physicalName,
    functionVersion: "$LATEST",
    invokedFunctionArn: localFunctionArn(functionName, stack),
    memoryLimitInMB: String(FUNCTIONS[functionName].memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${physicalName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** A Lambda handler `(event, context)` as a LocalFunction, with a fresh context per invocation. */
export function asLocalFunction(
  functionName: FunctionName,
  handler: (event: never, context: Context) => Promise<unknown>,
  options: LambdaContextOptions = {},
): LocalFunction {
  return (event) => handler(event as never, lambdaContext(functionName, options));
}
