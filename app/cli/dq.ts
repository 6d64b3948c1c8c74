#!/usr/bin/env -S node --disable-warning=ExperimentalWarning
import { Command, Option } from "commander";
import { ConfigError, providerConfigFromEnv } from "../config/config.ts";
import { runCheck } from "./check-command.ts";
import { CliError } from "./errors.ts";
import { registerLocalCommands, registerSlackCommand } from "./local-commands.ts";
import { parseFormat, parseInstant, parseLookback, parseSymbolList } from "./options.ts";
import { registerPipelineCommands } from "./pipeline-commands.ts";

const program = new Command("dq")
  .description("Market-data quality monitor: checks a datalake of daily bars against Twelve Data.")
  .showHelpAfterError("(run dq --help for usage)")
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command("check")
  .description("check symbols in one process, within the provider's credit limit (no AWS needed)")
  .option(
    "--datalake <uri-template>",
    "file:///dir/{symbol}.csv, file:///dir/{symbol}/daily.parquet or s3://bucket/prefix/{symbol}/daily.parquet",
    process.env.DQ_DATALAKE,
  )
  .option("--symbols <list>", "comma-separated symbols (default: every symbol in the datalake)", parseSymbolList)
  .option("--lookback-days <n>", "calendar days to check, ending at the last complete session", parseLookback, 10)
  .option("--as-of <instant>", "ISO instant to check as of (default: now)", parseInstant)
  .addOption(new Option("--format <format>", "table or json").default("table").argParser(parseFormat))
  .action(
    async (opts: {
      datalake?: string;
      symbols?: string[];
      lookbackDays: number;
      asOf?: Date;
      format: "table" | "json";
    }) => {
      if (!opts.datalake) throw new CliError("--datalake is required (or set DQ_DATALAKE)");
      await runCheck(
        {
          datalake: opts.datalake,
          symbols: opts.symbols,
          lookbackDays: opts.lookbackDays,
          asOf: opts.asOf ?? new Date(),
          format: opts.format,
        },
        providerConfigFromEnv(),
        { stdout: process.stdout, stderr: process.stderr },
      );
    },
  );

registerPipelineCommands(program);
registerLocalCommands(program);
registerSlackCommand(program);

export async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    const e = error as Error;
    // Errors that describe the operator's input or environment: one line, exit code 2.
    const known = [
      "CliError",
      "ConfigError",
      "DatalakeConfigError",
      "DatalakeReadError",
      "DatalakeListError",
      "EmptyUniverseError",
      "InvalidSymbolError",
      "StartInputError",
      "OperationError",
      "SecretError",
      "ProviderAuthError",
      "TwelveDataUsageError",
    ];
    if (error instanceof CliError || error instanceof ConfigError || known.includes(e.name)) {
      process.stderr.write(`dq: ${e.message.split("\n")[0]}\n`);
      return 2;
    }
    process.stderr.write(`dq: unexpected error: ${e.stack ?? e.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
