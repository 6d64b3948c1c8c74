import { FUNCTIONS, type FunctionName, resourceNames } from "../../app/wiring.ts";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./env.ts";

/** One Lambda function as the local stack runs it: the event in, the function's result out. */
export type LocalFunction = (event: unknown) => Promise<unknown>;

/** The functions the shims may invoke, by their logical name in the wiring module. */
export type LocalFunctions = Partial<Record<FunctionName, LocalFunction>>;

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as string[]).includes(name);
}

/**
 * The logical function a Lambda identifier refers to. Accepts what AWS accepts: a name (`processor` or the
 * physical `dq-local-processor`), a full ARN (`arn:aws:lambda:us-east-1:000000000000:function:dq-local-processor`)
 * or a partial ARN (`000000000000:function:dq-local-processor`), each with an optional `:qualifier`.
 * With `stack`, a physical name must belong to that stack; without it, any `dq-<stack>-<name>` matches.
 */
export function functionNameOf(identifier: string, stack?: string): FunctionName | undefined {
  const name = stripArnAndQualifier(identifier);
  if (isFunctionName(name)) return name;
  for (const candidate of FUNCTION_NAMES) {
    if (stack !== undefined) {
      if (resourceNames(stack).function(candidate) === name) return candidate;
    } else if (name.startsWith("dq-") && name.endsWith(`-${candidate}`) && name.length > candidate.length + 4) {
      return candidate;
    }
  }
  return undefined;
}

function stripArnAndQualifier(identifier: string): string {
  const afterFunction = identifier.match(/(?:^|:)function:(.+)$/)?.[1] ?? identifier;
  return afterFunction.split(":")[0] ?? afterFunction;
}

/** The ARN a local function is known by, as infra would output it. */
export function localFunctionArn(name: FunctionName, stack = "local"): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${resourceNames(stack).function(name)}`;
}
