import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError, UnsuccessfulOutcomeError } from "../app/cli/errors.ts";
import { readLocalState, removeLocalState, stateFile, writeLocalState } from "../app/cli/target.ts";
import { ENV } from "../app/wiring.ts";
import { runDemo } from "./demo.ts";
import { startReportServer } from "./report-server.ts";
import { generateSampleDatalake } from "./sample-datalake/index.ts";
import {
  LOCAL_SLACK,
  type LocalSlackApp,
  LocalSlackConfigError,
  type LocalSlackOptions,
  localSlackOptionsFromEnv,
} from "./slack/local-slack.ts";
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
export async function runLocalCommand(opts: {
  datalake?: string;
  verbose?: boolean;
  schedule?: boolean;
}): Promise<void> {
  let slackOptions: LocalSlackOptions;
  try {
    slackOptions = localSlackOptionsFromEnv(process.env);
  } catch (error) {
    if (error instanceof LocalSlackConfigError) throw new CliError(error.message, { cause: error });
    throw error;
  }
  let datalake = opts.datalake ?? process.env[ENV.datalake];
  if (!datalake) {
    const dir = join(dirname(stateFile()), "sample-datalake");
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
    dailySchedule: opts.schedule ?? true,
    log: terminalLog({ verbose: opts.verbose }),
    slack: { ...slackOptions, onMessage: terminalPrinter() },
  }).catch((error: unknown) => {
    if (error instanceof LocalSlackConfigError) throw new CliError(error.message, { cause: error });
    throw error;
  });
  const slack = stack.slackApp;
  // The report pages `dq report` writes beside the state file, served on loopback.
  const reportServer = await startReportServer(join(dirname(stateFile()), "reports"));
  const endpoints = { ...stack.endpoints, reports: `${reportServer.endpoint}/` };
  const file = writeLocalState({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    env: { ...stack.env, ...slack?.env },
    endpoints,
    slackRequestUrl: slack?.requestUrl,
  });
  process.stdout.write(
    [
      "dq local stack is up:",
      ...Object.entries(endpoints).map(([k, v]) => `  ${k.padEnd(12)} ${v}`),
      `  datalake     ${datalake}`,
      ...(slack ? slackBanner(slack, slackOptions) : []),
      `  schedule     ${opts.schedule === false ? "none (sessions start only when asked)" : "the daily schedule, as deployed"}`,
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
  await reportServer.stop();
  await stack.stop();
}

/** What the Slack app of `dq local` talks to, and where its secrets come from (a secret given is never printed). */
function slackBanner(slack: LocalSlackApp, options: LocalSlackOptions): string[] {
  const env = slack.env;
  const admins = env[ENV.slackAdmins] || "none";
  return [
    `  slack app    ${slack.requestUrl} (signing secret ${options.signingSecret ? `from ${ENV.slackSigningSecret}` : slack.signingSecret})`,
    slack.fakeSlack
      ? `  slack api    ${slack.apiUrl} (the fake Slack: messages print below)`
      : `  slack api    ${slack.apiUrl} (${options.apiUrl ? ENV.slackApiUrl : "Slack"}, bot token from ${ENV.slackBotToken})`,
    `  socket mode  ${slack.socketMode ? "connected to Slack (SLACK_APP_TOKEN)" : "off (set SLACK_APP_TOKEN and SLACK_BOT_TOKEN to attach a real Slack app)"}`,
    `  channel      ${env[ENV.slackChannel]} (admins ${admins})`,
  ];
}

/** `dq demo`: a whole session on the local stack; a missed defect, a false alarm or a 429 fails the process. */
export async function runDemoCommand(opts: {
  symbols: number;
  windowSeconds: number;
  verbose?: boolean;
}): Promise<void> {
  const outcome = await runDemo({ symbols: opts.symbols, windowSeconds: opts.windowSeconds, verbose: opts.verbose });
  if (outcome.missed > 0 || outcome.falseAlarms > 0 || outcome.rateLimited > 0)
    throw new UnsuccessfulOutcomeError(
      `the demo's report differs from the injected defects: ${outcome.missed} missed, ${outcome.falseAlarms} false alarms, ${outcome.rateLimited} rate-limited requests`,
    );
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
  if (answer.status !== 200) throw new UnsuccessfulOutcomeError(`the Slack app answered ${answer.status}`);
}
