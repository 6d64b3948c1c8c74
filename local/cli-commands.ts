import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { CliError } from "../app/cli/errors.ts";
import { readLocalState, removeLocalState, writeLocalState } from "../app/cli/target.ts";
import { ENV } from "../app/wiring.ts";
import { runDemo } from "./demo.ts";
import { generateSampleDatalake } from "./sample-datalake/index.ts";
import { LOCAL_SLACK } from "./slack/local-slack.ts";
import { sendSlashCommand } from "./slack/slash-command.ts";
import { terminalPrinter } from "./slack/terminal-printer.ts";
import { startLocalStack } from "./stack.ts";
import { terminalLog } from "./terminal-log.ts";

function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new CliError(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

/** `dq local`: starts the local stack and keeps it up until SIGINT/SIGTERM. */
export async function runLocalCommand(opts: { datalake?: string; verbose?: boolean }): Promise<void> {
  let datalake = opts.datalake ?? process.env[ENV.datalake];
  if (!datalake) {
    const dir = resolve(".dq", "sample-datalake");
    mkdirSync(dir, { recursive: true });
    datalake = (await generateSampleDatalake({ dir, asOf: new Date() })).uriTemplate;
    process.stdout.write(`generated a sample datalake with injected defects (labels in ${join(dir, "labels.json")})\n`);
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
}

/** `dq demo`: a whole session on the local stack; a missed defect, a false alarm or a 429 fails the process. */
export async function runDemoCommand(opts: {
  symbols: number;
  windowSeconds: number;
  verbose?: boolean;
}): Promise<void> {
  const outcome = await runDemo({ symbols: opts.symbols, windowSeconds: opts.windowSeconds, verbose: opts.verbose });
  if (outcome.missed > 0 || outcome.falseAlarms > 0 || outcome.rateLimited > 0) process.exitCode = 1;
}

/** `dq slack "<text>"`: what typing `/dq <text>` in the local channel does, as a signed request to the local app. */
export async function runSlackCommand(text: string, opts: { user?: string; channel?: string }): Promise<void> {
  const state = readLocalState();
  const secret = state.env[ENV.slackSigningSecret];
  const apiUrl = state.env[ENV.slackApiUrl];
  if (!state.slackRequestUrl || !secret || !apiUrl) throw new CliError("the local stack runs without its Slack app");
  const answer = await sendSlashCommand(state.slackRequestUrl, secret, {
    text,
    userId: opts.user ?? LOCAL_SLACK.admin,
    channelId: opts.channel ?? LOCAL_SLACK.channel,
    responseUrl: new URL("../response/local", apiUrl).toString(),
  });
  process.stdout.write(`${answer.status} ${answer.body}\n`);
  if (answer.status !== 200) process.exitCode = 1;
}
