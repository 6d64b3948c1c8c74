import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { LocalFunction } from "../local/aws/functions.ts";
import { runDemo } from "../local/demo.ts";
import { generateSampleDatalake } from "../local/sample-datalake/index.ts";
import { startLocalStack } from "../local/stack.ts";
import { terminalLog } from "../local/terminal-log.ts";
import { ENV } from "../wiring.ts";
import { CliError } from "./errors.ts";
import { invokeCoordinator, waitForSession } from "./pipeline-commands.ts";
import { removeLocalState, writeLocalState } from "./target.ts";

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

/** Prints what the channel would show; replaced by the Block Kit renderer when the notifier is wired in. */
function printToTerminal(stream: NodeJS.WritableStream): LocalFunction {
  return async (event) => {
    const e = event as { "detail-type"?: string; detail?: Record<string, unknown> };
    const d = e.detail ?? {};
    const counters = (d.counters ?? {}) as Record<string, number>;
    if (e["detail-type"] === "SessionProgress") return;
    const failed = (d.failedSymbols ?? []) as { symbol: string; issue: string }[];
    const lines = [
      "",
      `── channel ── ${e["detail-type"]}: session ${String(d.sessionId)} ${String(d.status)} in ${Math.round(Number(d.durationMs) / 100) / 10} s`,
      `   passed ${counters.passed ?? 0}, failed ${counters.failed ?? 0}, errored ${counters.errored ?? 0}; credits used ${String(d.creditsUsed)}`,
      ...failed.slice(0, 20).map((f) => `   • ${f.symbol}: ${f.issue}`),
      ...(failed.length > 20 ? [`   … and ${failed.length - 20} more`] : []),
      ...(d.nextAction ? [`   next: ${String(d.nextAction)}`] : []),
      "",
    ];
    stream.write(`${lines.join("\n")}\n`);
  };
}

export function registerLocalCommands(program: Command): void {
  program
    .command("local")
    .description("start the local stack (emulators, shims, handlers) and keep it up; other dq commands find it")
    .option("--datalake <uri-template>", "default datalake of sessions (default: a generated sample datalake)")
    .option("--verbose", "print every log line as JSON")
    .action(async (opts: { datalake?: string; verbose?: boolean }) => {
      let datalake = opts.datalake ?? process.env[ENV.datalake];
      if (!datalake) {
        const dir = resolve(".dq", "sample-datalake");
        mkdirSync(dir, { recursive: true });
        datalake = (await generateSampleDatalake({ dir, asOf: new Date() })).uriTemplate;
        process.stdout.write(
          `generated a sample datalake with injected defects (labels in ${join(dir, "labels.json")})\n`,
        );
      }
      const stack = await startLocalStack({
        creditsPerMinute: numberFromEnv(ENV.creditsPerMinute),
        creditsPerDay: process.env[ENV.creditsPerDay] === "none" ? null : numberFromEnv(ENV.creditsPerDay),
        creditWindowSeconds: numberFromEnv(ENV.creditWindowSeconds),
        providerUrl: process.env[ENV.twelveDataBaseUrl] || undefined,
        apiKey: process.env[ENV.twelveDataApiKey] || undefined,
        datalake,
        log: terminalLog({ verbose: opts.verbose }),
        notifier: printToTerminal(process.stdout),
      });
      const file = writeLocalState({
        pid: process.pid,
        startedAt: new Date().toISOString(),
        env: stack.env,
        endpoints: stack.endpoints,
      });
      process.stdout.write(
        [
          "dq local stack is up:",
          ...Object.entries(stack.endpoints).map(([k, v]) => `  ${k.padEnd(12)} ${v}`),
          `  datalake     ${datalake}`,
          `  state        ${file}`,
          "Try: npx dq run --wait   |   npx dq status   |   npx dq results latest",
          "Ctrl-C stops it.",
          "",
        ].join("\n"),
      );
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      process.stdout.write("stopping the local stack\n");
      removeLocalState(process.pid);
      await stack.stop();
    });

  program
    .command("demo")
    .description("a whole session on the local stack over a sample datalake with known defects")
    .option("--symbols <n>", "symbols to check", (v) => Number.parseInt(v, 10), 40)
    .option("--window-seconds <s>", "the scaled credit window", (v) => Number(v), 2)
    .option("--verbose", "print every log line as JSON")
    .action(async (opts: { symbols: number; windowSeconds: number; verbose?: boolean }) => {
      const outcome = await runDemo({
        symbols: opts.symbols,
        windowSeconds: opts.windowSeconds,
        verbose: opts.verbose,
        start: invokeCoordinator,
        wait: (operations, id) => waitForSession(operations, id, process.stderr),
        notifier: () => printToTerminal(process.stdout),
      });
      if (outcome.missed > 0 || outcome.falseAlarms > 0 || outcome.rateLimited > 0) process.exitCode = 1;
    });
}
