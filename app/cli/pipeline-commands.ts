import { userInfo } from "node:os";
import { type Command, Option } from "commander";
import type { ReferenceProvider } from "../domain/ports.ts";
import type { CoordinatorResult } from "../handlers/coordinator.ts";
import type { Operations } from "../pipeline/operations.ts";
import type { StartInput, StartResult } from "../pipeline/start-session.ts";
import { ENV } from "../wiring.ts";
import { CliError, UnsuccessfulOutcomeError } from "./errors.ts";
import { parseFormat, parseInstant, parseLookback, parseSymbolList } from "./options.ts";
import { jsonReport, tableReport } from "./report.ts";
import { formatStatus } from "./session-view.ts";
import { targetEnv } from "./target.ts";

interface TargetOptions {
  stack?: string;
}

/**
 * Points this process at the target system and builds the operations. Reading and steering sessions never calls
 * the provider (the stack's functions do, with the stack's key), so these commands need no provider key: only the
 * AWS credentials that reach the stack.
 */
async function connect(opts: TargetOptions): Promise<{ operations: Operations; where: string }> {
  const { env, where } = await targetEnv(opts.stack);
  Object.assign(process.env, env);
  // Loaded when used (as every SDK here), so that `dq --help` or a usage error answers at once.
  const { createPipelineRuntime } = await import("../runtime/pipeline-runtime.ts");
  const runtime = await createPipelineRuntime({ apiKey: "", provider: providerNotUsed, log: quietLog });
  return { operations: runtime.operations, where };
}

const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

const providerNotUsed: ReferenceProvider = {
  dailyBars: () => Promise.reject(new Error("the session commands do not call the provider: the stack's functions do")),
};

/** A waited-for session that did not complete is the command's outcome: exit code 3, with the reason. */
async function requireCompleted(operations: Operations, sessionId: string): Promise<void> {
  const { session } = await operations.status(sessionId);
  if (session.status !== "completed")
    throw new UnsuccessfulOutcomeError(
      `session ${session.sessionId} ended ${session.status}${session.error ? `: ${session.error}` : ""}`,
    );
}

/** Starts a session the way every other starter does: through the coordinator function. */
export async function invokeCoordinator(input: StartInput): Promise<StartResult> {
  const functionName = process.env[ENV.coordinatorArn];
  if (!functionName) throw new CliError("the target has no coordinator function configured");
  const { InvokeCommand, LambdaClient } = await import("@aws-sdk/client-lambda");
  const out = await new LambdaClient({}).send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: "RequestResponse",
      Payload: JSON.stringify(input),
    }),
  );
  const payload = JSON.parse(new TextDecoder().decode(out.Payload ?? new Uint8Array())) as CoordinatorResult & {
    errorMessage?: string;
  };
  if (out.FunctionError) throw new CliError(`the coordinator failed: ${payload.errorMessage ?? out.FunctionError}`);
  if (payload.status === "rejected") throw new CliError(payload.error);
  return payload;
}

export async function waitForSession(
  operations: Operations,
  sessionId: string,
  stderr: NodeJS.WriteStream,
): Promise<void> {
  const first = await operations.status(sessionId);
  const { default: cliProgress } = await import("cli-progress");
  const bar = stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          stream: stderr,
          format: "{bar} {percentage}% | {value}/{total} symbols | {state} | ETA {eta}",
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(first.session.totalSymbols, 0, { state: "running", eta: "-" });
  let lastLine = 0;
  for (;;) {
    const view = await operations.status(sessionId);
    const c = view.session.counters;
    const done = c.passed + c.failed + c.errored;
    const eta = view.etaMs === null ? "-" : `${Math.ceil(view.etaMs / 1000)}s`;
    const state = view.session.pausedUntil ? `paused until ${view.session.pausedUntil}` : view.session.status;
    if (bar) bar.update(done, { state, eta });
    else if (Date.now() - lastLine > 5_000 || view.session.status !== "running") {
      stderr.write(`${view.progressPct}% (${done}/${view.session.totalSymbols} symbols), ${state}, ETA ${eta}\n`);
      lastLine = Date.now();
    }
    if (view.session.status !== "running") break;
    await new Promise((r) => setTimeout(r, 500));
  }
  bar?.stop();
}

function actor(): string {
  return `cli:${userInfo().username}`;
}

export function registerPipelineCommands(program: Command): void {
  const stackOption = () =>
    new Option("--stack <name>", "a deployed stack to reach on AWS (default: the running local stack)");

  program
    .command("run")
    .description("start a session on the local stack (or a deployed one) through the coordinator")
    .option("--datalake <uri-template>", "datalake URI template (default: the stack's)")
    .option("--symbols <list>", "comma-separated symbols (default: the stack's universe)", parseSymbolList)
    .option("--lookback-days <n>", "calendar days to check", parseLookback)
    .option("--as-of <instant>", "ISO instant to check as of (default: now)", parseInstant)
    .option("--wait", "show progress until the session ends")
    .addOption(stackOption())
    .action(
      async (
        opts: TargetOptions & {
          datalake?: string;
          symbols?: string[];
          lookbackDays?: number;
          asOf?: Date;
          wait?: boolean;
        },
      ) => {
        const { operations, where } = await connect(opts);
        const started = await invokeCoordinator({
          symbols: opts.symbols,
          datalake: opts.datalake,
          lookbackDays: opts.lookbackDays,
          asOf: opts.asOf?.toISOString(),
          startedBy: { kind: "cli", user: userInfo().username },
        });
        process.stdout.write(
          `session ${started.sessionId} ${started.status} on the ${where}: ${started.totalSymbols} symbols in ${started.totalBatches} batches, about ${started.estimatedDurationMinutes} min${sliceNote(started)}\n`,
        );
        if (opts.wait) {
          await waitForSession(operations, started.sessionId, process.stderr);
          process.stdout.write(`${formatStatus(await operations.status(started.sessionId), Date.now())}\n`);
          await requireCompleted(operations, started.sessionId);
        }
      },
    );

  program
    .command("status")
    .description("progress, counts, ETA, credits and failed symbols of a session")
    .argument("[session]", "a session id, or latest", "latest")
    .addOption(new Option("--format <format>", "table or json").default("table").argParser(parseFormat))
    .addOption(stackOption())
    .action(async (session: string, opts: TargetOptions & { format: "table" | "json" }) => {
      const { operations } = await connect(opts);
      const view = await operations.status(session);
      process.stdout.write(
        opts.format === "json" ? `${JSON.stringify(view, null, 2)}\n` : `${formatStatus(view, Date.now())}\n`,
      );
    });

  program
    .command("sessions")
    .description("the most recent sessions")
    .option("--limit <n>", "how many", (v) => Number.parseInt(v, 10), 10)
    .addOption(stackOption())
    .action(async (opts: TargetOptions & { limit: number }) => {
      const { operations } = await connect(opts);
      const page = await operations.list(opts.limit);
      for (const s of page.items) {
        const c = s.counters;
        process.stdout.write(
          `${s.sessionId}  ${s.status.padEnd(9)}  ${s.createdAt}  ${s.totalSymbols} symbols  passed ${c.passed} failed ${c.failed} errored ${c.errored}\n`,
        );
      }
    });

  program
    .command("results")
    .description("every result of a session (the same JSON shape as dq check --format json)")
    .argument("<session>", "a session id, or latest")
    .addOption(new Option("--format <format>", "table or json").default("table").argParser(parseFormat))
    .addOption(stackOption())
    .action(async (sessionId: string, opts: TargetOptions & { format: "table" | "json" }) => {
      const { operations } = await connect(opts);
      const { session, results } = await operations.allResults(sessionId);
      const asOf = session.params.asOf;
      process.stdout.write(
        opts.format === "json"
          ? `${JSON.stringify(jsonReport(asOf, results), null, 2)}\n`
          : `${tableReport(asOf, results)}\n`,
      );
    });

  program
    .command("retry")
    .description("re-run the failed and errored symbols of a session as a new session linked to it")
    .argument("<session>", "a session id, or latest")
    .option("--wait", "show progress until the new session ends")
    .addOption(stackOption())
    .action(async (sessionId: string, opts: TargetOptions & { wait?: boolean }) => {
      const { operations } = await connect(opts);
      const request = await operations.retryRequest(sessionId, { kind: "retry", user: actor() });
      const started = await invokeCoordinator(request);
      process.stdout.write(
        `session ${started.sessionId} retries ${request.retryOf ?? sessionId}: ${started.totalSymbols} symbols\n`,
      );
      if (opts.wait) {
        await waitForSession(operations, started.sessionId, process.stderr);
        process.stdout.write(`${formatStatus(await operations.status(started.sessionId), Date.now())}\n`);
        await requireCompleted(operations, started.sessionId);
      }
    });

  program
    .command("cancel")
    .description("stop a running session: nothing more is queued, and it finishes as cancelled")
    .argument("<session>", "a session id, or latest")
    .addOption(stackOption())
    .action(async (sessionId: string, opts: TargetOptions) => {
      const { operations } = await connect(opts);
      const session = await operations.cancel(sessionId, actor());
      process.stdout.write(`session ${session.sessionId} ${session.status}\n`);
    });
}

/** How `dq run` says a start over a universe larger than the plan's day took today's slice of it. */
function sliceNote(started: StartResult): string {
  const coverage = started.coverage;
  if (coverage?.mode !== "rotation") return "";
  return ` (coverage round ${coverage.round}: today's slice of ${coverage.universeSize}, a rotation of ${coverage.rotation} daily sessions)`;
}
