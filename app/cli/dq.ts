#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
import { Command, CommanderError, Option } from "commander";
import { DatalakeListError, DatalakeReadError } from "../adapters/datalake/errors.ts";
import { StoreError } from "../adapters/dynamodb/errors.ts";
import { TwelveDataUsageError } from "../adapters/twelvedata/errors.ts";
import { UserFacingError } from "../domain/errors.ts";
import { ProviderRefused } from "../domain/provider-errors.ts";
import { CliError, EXIT_CODES_HELP, ExitCode, UnsuccessfulOutcomeError } from "./errors.ts";
import { registerLocalCommands, registerSlackCommand } from "./local-commands.ts";
import { parseFormat, parseInstant, parseLookback, parseSymbolList } from "./options.ts";
import { registerPipelineCommands } from "./pipeline-commands.ts";
import { registerProfileCommand } from "./profile-command.ts";
import { registerReportCommand } from "./report-command.ts";

const program = new Command("dq")
  .description("Market-data quality monitor: checks a datalake of daily bars against Twelve Data.")
  .addHelpText("after", EXIT_CODES_HELP)
  // Usage errors as every other error: one line, exit code 2 (commander's own exit would be 1, in two lines).
  .exitOverride()
  .configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: (message, write) => write(`dq: ${oneLine(message.replace(/^error: /, ""))} (see --help)\n`),
  });

program
  .command("check")
  .description("check symbols in one process, within the provider's credit limit (no AWS needed)")
  .option(
    "--datalake <uri-template>",
    "file:///dir/{symbol}.csv, file:///dir/{symbol}/daily.parquet or s3://bucket/prefix/{symbol}/daily.parquet (default: DQ_DATALAKE, or the --stack's)",
    process.env.DQ_DATALAKE,
  )
  .option("--symbols <list>", "comma-separated symbols (default: every symbol in the datalake)", parseSymbolList)
  .option("--lookback-days <n>", "calendar days to check, ending at the last complete session", parseLookback, 10)
  .option("--as-of <instant>", "ISO instant to check as of (default: now)", parseInstant)
  .addOption(new Option("--format <format>", "table or json").default("table").argParser(parseFormat))
  .option(
    "--stack <name>",
    "reserve the credits in this stack's ledger (local, or a deployed one), so sessions running on the same key and this check never exceed the plan together",
  )
  .action(
    async (opts: {
      datalake?: string;
      symbols?: string[];
      lookbackDays: number;
      asOf?: Date;
      format: "table" | "json";
      stack?: string;
    }) => {
      if (!opts.datalake && !opts.stack) throw new CliError("--datalake is required (or set DQ_DATALAKE)");
      const { runCheck } = await import("./check-command.ts");
      await runCheck(
        {
          datalake: opts.datalake,
          symbols: opts.symbols,
          lookbackDays: opts.lookbackDays,
          asOf: opts.asOf ?? new Date(),
          format: opts.format,
          stack: opts.stack,
        },
        { stdout: process.stdout, stderr: process.stderr },
      );
    },
  );

registerPipelineCommands(program);
registerLocalCommands(program);
registerSlackCommand(program);
registerProfileCommand(program);
registerReportCommand(program);

/**
 * Failures of the operator's environment whose messages a terminal may show as they are (only the operator reads
 * them): a datalake that cannot be read, a table or key that cannot be reached, a refused key.
 */
function isOperatorError(error: unknown): boolean {
  return (
    error instanceof UserFacingError ||
    error instanceof CliError ||
    error instanceof DatalakeReadError ||
    error instanceof DatalakeListError ||
    error instanceof StoreError ||
    error instanceof ProviderRefused ||
    error instanceof TwelveDataUsageError ||
    // By name: their classes come with the AWS SDK, which `dq` loads only when a command needs it.
    (error instanceof Error && (error.name === "SecretError" || error.name === "CredentialsProviderError"))
  );
}

function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, " ");
}

/** Runs the command line; resolves to the process's exit code (see ExitCode). */
export async function main(argv: string[]): Promise<ExitCode> {
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    // commander has printed its own message (or the help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    const e = error as Error;
    if (error instanceof UnsuccessfulOutcomeError) {
      process.stderr.write(`dq: ${oneLine(e.message)}\n`);
      return ExitCode.unsuccessful;
    }
    if (isOperatorError(error)) {
      process.stderr.write(`dq: ${e.message.split("\n")[0]}\n`);
      return ExitCode.usage;
    }
    process.stderr.write(`dq: unexpected error: ${e.stack ?? e.message}\n`);
    return ExitCode.unexpected;
  }
}

process.exitCode = await main(process.argv);
