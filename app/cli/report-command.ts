import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { Command } from "commander";
import { createDatalake } from "../adapters/datalake/create-datalake.ts";
import { loadProfile } from "../config/load-profile.ts";
import { profileSettings } from "../config/profile-settings.ts";
import type { ReferenceProvider } from "../domain/ports.ts";
import type { Operations } from "../pipeline/operations.ts";
import { sessionReport } from "../report/session-report.ts";
import { CliError } from "./errors.ts";
import type { LedgerCredits } from "./ledger-credits.ts";
import { readLocalState, stateFile, targetEnv } from "./target.ts";

export interface ReportCommandOptions {
  stack?: string;
  out?: string;
  open?: boolean;
  /** Failing symbols (worst first) whose reference series is read from the provider, one credit each. */
  charts: number;
  reference: boolean;
}

/** `dq report <session>`: the session's report page, written locally from the local stack or a deployed one. */
export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("write a session's report page (self-contained HTML: figures, every symbol, a chart per failure)")
    .argument("<session>", "session id, or latest")
    .option("--out <file>", "where to write it (default: .dq/reports/<session>.html)")
    .option("--open", "open it in the default browser")
    .option(
      "--charts <n>",
      "failing symbols, worst first, charted against the provider's series (1 credit each, reserved in the stack's ledger)",
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new CliError(`--charts must be a whole number, got ${v}`);
        return n;
      },
      50,
    )
    .option("--no-reference", "draw the datalake's series only (no credit spent)")
    .option("--stack <name>", "a deployed stack (default: the running local stack, or DQ_STACK)")
    .action(async (session: string, opts: ReportCommandOptions) => {
      const file = await writeReport(session, opts);
      process.stdout.write(`${file}\n`);
      const served = servedAt(opts.stack, file);
      if (served) process.stdout.write(`served by dq local at ${served}\n`);
      if (opts.open) openInBrowser(file);
    });
}

async function connect(stack: string | undefined): Promise<Operations> {
  const { env } = await targetEnv(stack);
  Object.assign(process.env, env);
  const { createPipelineRuntime } = await import("../runtime/pipeline-runtime.ts");
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const runtime = await createPipelineRuntime({
    apiKey: "",
    provider: { dailyBars: () => Promise.reject(new Error("dq report reads the reference through its own client")) },
    log: quiet,
  });
  return runtime.operations;
}

/** The provider, each request's credits reserved in the stack's ledger and passed through its spend gate first. */
function ledgerPaced(client: ReferenceProvider, credits: LedgerCredits | undefined): ReferenceProvider {
  if (!credits) return client;
  return {
    async dailyBars(symbols, range) {
      for (;;) {
        const reservation = await credits.reserve(symbols.length);
        if (!(await credits.spend(reservation, symbols.length))) {
          await credits.release(reservation);
          continue;
        }
        try {
          return await client.dailyBars(symbols, range);
        } finally {
          await credits.settle(reservation);
        }
      }
    },
  };
}

/** Writes the report page of `sessionId` and returns its path. */
export async function writeReport(sessionId: string, opts: ReportCommandOptions): Promise<string> {
  const operations = await connect(opts.stack);
  const { session, results } = await operations.allResults(sessionId);
  let provider: ReferenceProvider | undefined;
  if (opts.reference && opts.charts > 0 && results.some((r) => r.status === "fail")) {
    const { checkSetup } = await import("./check-setup.ts");
    const setup = await checkSetup(opts.stack ?? process.env.DQ_STACK ?? "local");
    provider = ledgerPaced(setup.client, setup.credits);
  }
  const { html } = await sessionReport({
    session,
    results,
    datalake: createDatalake({
      uriTemplate: session.params.datalake,
      ...profileSettings(loadProfile().profile).datalake,
    }),
    provider,
    charts: opts.charts,
  });
  const file = resolve(opts.out ?? `${process.env.DQ_HOME ?? ".dq"}/reports/${session.sessionId}.html`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
  return file;
}

/** The page's URL on `dq local`'s report server, when the local stack is the target and the page is in its folder. */
function servedAt(stack: string | undefined, file: string): string | undefined {
  if ((stack ?? process.env.DQ_STACK ?? "local") !== "local" || outsideReports(file)) return undefined;
  try {
    const base = readLocalState().endpoints.reports;
    return base ? `${base}${encodeURIComponent(basename(file))}` : undefined;
  } catch {
    return undefined;
  }
}

function outsideReports(file: string): boolean {
  return dirname(file) !== resolve(dirname(stateFile()), "reports");
}

/** The platform's opener, detached: dq does not wait for the browser. */
function openInBrowser(file: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(command, [file], { detached: true, stdio: "ignore" });
  child.on("error", () => process.stderr.write(`dq: could not start ${command}; open ${file} yourself\n`));
  child.unref();
}
