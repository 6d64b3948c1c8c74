import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ENV, resourceNames } from "../wiring.ts";
import { CliError } from "./errors.ts";

/** Where `dq local` records the running stack, so other `dq` commands find it without flags. */
export function stateFile(): string {
  return join(resolve(process.env.DQ_HOME ?? ".dq"), "local.json");
}

export interface LocalState {
  pid: number;
  startedAt: string;
  env: Record<string, string>;
  endpoints: Record<string, string>;
  slackRequestUrl?: string;
}

export function writeLocalState(state: LocalState): string {
  const file = stateFile();
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
  return file;
}

export function removeLocalState(pid: number): void {
  const file = stateFile();
  if (!existsSync(file)) return;
  try {
    if ((JSON.parse(readFileSync(file, "utf8")) as LocalState).pid === pid) rmSync(file);
  } catch {
    rmSync(file, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running local stack's state; a CliError when there is none. */
export function readLocalState(): LocalState {
  const file = stateFile();
  if (!existsSync(file)) {
    throw new CliError(
      "no local stack is running: start one with `npx dq local` (or pass --stack <name> to reach AWS)",
    );
  }
  const state = JSON.parse(readFileSync(file, "utf8")) as LocalState;
  if (!alive(state.pid)) {
    throw new CliError(
      `the local stack recorded in ${file} (pid ${state.pid}) is not running: start it with \`npx dq local\``,
    );
  }
  return state;
}

/**
 * The environment of the system a command talks to: the running local stack by default, or a deployed stack
 * (`--stack dev`, or DQ_STACK) through the standard AWS credentials and region.
 */
export async function targetEnv(stack: string | undefined): Promise<{ env: Record<string, string>; where: string }> {
  const name = stack ?? process.env.DQ_STACK;
  if (name && name !== "local") return { env: await awsEnv(name), where: `AWS stack ${name}` };
  const state = readLocalState();
  return { env: state.env, where: `local stack (pid ${state.pid})` };
}

async function awsEnv(stack: string): Promise<Record<string, string>> {
  const names = resourceNames(stack);
  const { GetQueueUrlCommand, SQSClient } = await import("@aws-sdk/client-sqs");
  const sqs = new SQSClient({});
  let queueUrl: string | undefined;
  try {
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.queue }))).QueueUrl;
  } catch (error) {
    throw new CliError(`cannot find the work queue ${names.queue} of stack ${stack}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    [ENV.tableName]: names.table,
    [ENV.queueUrl]: queueUrl ?? "",
    [ENV.eventBusName]: names.eventBus,
    [ENV.scheduleGroup]: names.scheduleGroup,
    [ENV.coordinatorArn]: names.function("coordinator"),
    [ENV.dailyScheduleName]: names.dailySchedule,
    [ENV.twelveDataApiKeyParameter]:
      process.env[ENV.twelveDataApiKeyParameter] ?? names.secretParameters.twelveDataApiKey,
  };
}

/**
 * The settings a stack's functions run with that a check sharing its ledger must share: the plan and window (they
 * cut the ledger's slots), the provider, and where the ledger is (another stack's table when the key is shared).
 */
const PLAN_VARIABLES = [
  ENV.creditsPerMinute,
  ENV.creditsPerDay,
  ENV.creditWindowSeconds,
  ENV.batchSize,
  ENV.twelveDataBaseUrl,
  ENV.twelveDataApiKeyParameter,
  ENV.ledgerTable,
] as const;

/**
 * A stack's environment with its provider plan, for `dq check --stack`: the local stack's as recorded, a deployed
 * stack's read from its processor function's configuration (the plan the stack's sessions reserve under).
 */
export async function stackPlanEnv(stack: string): Promise<{ env: Record<string, string>; where: string }> {
  if (stack === "local") {
    const state = readLocalState();
    return { env: state.env, where: `local stack (pid ${state.pid})` };
  }
  const env = await awsEnv(stack);
  const functionName = resourceNames(stack).function("processor");
  let variables: Record<string, string>;
  const { GetFunctionConfigurationCommand, LambdaClient } = await import("@aws-sdk/client-lambda");
  try {
    const out = await new LambdaClient({}).send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    variables = out.Environment?.Variables ?? {};
  } catch (error) {
    throw new CliError(
      `cannot read the credit plan of stack ${stack} from its function ${functionName} (${(error as Error).name}: ${(error as Error).message}): dq check --stack needs lambda:GetFunctionConfiguration on it; without --stack, dq check paces itself but does not see the stack's sessions`,
      { cause: error },
    );
  }
  for (const name of PLAN_VARIABLES) {
    const value = variables[name];
    if (value !== undefined) env[name] = value;
  }
  return { env, where: `AWS stack ${stack}` };
}
