import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { runDemo } from "../local/demo.ts";
import { generateSampleDatalake } from "../local/sample-datalake/index.ts";
import { LOCAL_SLACK } from "../local/slack/local-slack.ts";
import { sendSlashCommand } from "../local/slack/slash-command.ts";
import { terminalPrinter } from "../local/slack/terminal-printer.ts";
import { startLocalStack } from "../local/stack.ts";
import { terminalLog } from "../local/terminal-log.ts";
import { ENV } from "../wiring.ts";
import { CliError } from "./errors.ts";
import { readLocalState, removeLocalState, writeLocalState } from "./target.ts";

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
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
        slack: { onMessage: terminalPrinter() },
      });
      const slack = stack.slack;
      const file = writeLocalState({
        pid: process.pid,
        startedAt: new Date().toISOString(),
        env: { ...stack.env, ...slack?.env },
        endpoints: stack.endpoints,
        slackRequestUrl: slack?.requestUrl,
      });
      process.stdout.write(
        [
          "dq local stack is up:",
          ...Object.entries(stack.endpoints).map(([k, v]) => `  ${k.padEnd(12)} ${v}`),
          `  datalake     ${datalake}`,
          `  slack app    ${slack?.requestUrl} (signing secret ${slack?.signingSecret}; channel ${LOCAL_SLACK.channel}, admin ${LOCAL_SLACK.admin})`,
          `  fake slack   ${slack?.fakeSlack.apiUrl} (messages print below)`,
          `  state        ${file}`,
          'Try: npx dq run --wait   |   npx dq slack "run AAPL MSFT --lookback 5"   |   npx dq status   |   npx dq results latest',
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
      });
      if (outcome.missed > 0 || outcome.falseAlarms > 0 || outcome.rateLimited > 0) process.exitCode = 1;
    });
}

/** `dq slack "<text>"`: what typing `/dq <text>` in the local channel does, as a signed request to the local app. */
export function registerSlackCommand(program: Command): void {
  program
    .command("slack")
    .description("send `/dq <text>` to the local stack's Slack app as Slack would (signed); replies print in dq local")
    .argument("<text>", 'the command text, e.g. "run AAPL MSFT --lookback 5" or "status"')
    .option("--user <id>", "the Slack user sending it", LOCAL_SLACK.admin)
    .option("--channel <id>", "the channel it is sent from", LOCAL_SLACK.channel)
    .action(async (text: string, opts: { user: string; channel: string }) => {
      const state = readLocalState();
      const secret = state.env[ENV.slackSigningSecret];
      const apiUrl = state.env[ENV.slackApiUrl];
      if (!state.slackRequestUrl || !secret || !apiUrl)
        throw new CliError("the local stack runs without its Slack app");
      const answer = await sendSlashCommand(state.slackRequestUrl, secret, {
        text,
        userId: opts.user,
        channelId: opts.channel,
        responseUrl: new URL("../response/local", apiUrl).toString(),
      });
      process.stdout.write(`${answer.status} ${answer.body}\n`);
      if (answer.status !== 200) process.exitCode = 1;
    });
}
