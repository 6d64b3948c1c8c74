import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableReport } from "../app/cli/report.ts";
import { ENV } from "../app/wiring.ts";
import { writeDemoReport } from "./demo-report.ts";
import { compareWithLabels, describeComparison } from "./labels.ts";
import { createSyntheticMarket } from "./market/synthetic-market.ts";
import { generateSampleDatalake } from "./sample-datalake/index.ts";
import { LOCAL_SLACK } from "./slack/local-slack.ts";
import { sendSlashCommand } from "./slack/slash-command.ts";
import { terminalPrinter } from "./slack/terminal-printer.ts";
import { type LocalStack, startLocalStack } from "./stack.ts";
import { terminalLog } from "./terminal-log.ts";

/** The user group the demo's failure summary mentions. */
const DEMO_ONCALL = "S0DQONCALL";

export interface DemoOptions {
  /** How many symbols of the synthetic market (every injected defect is among them). @default 40 */
  symbols?: number;
  creditsPerWindow?: number;
  /** The scaled credit window. @default 2 */
  windowSeconds?: number;
  stdout?: NodeJS.WritableStream;
  verbose?: boolean;
}

export interface DemoOutcome {
  sessionId: string;
  found: number;
  missed: number;
  falseAlarms: number;
  rateLimited: number;
  repeatedSymbols: number;
  elapsedMs: number;
}

/**
 * The whole system on the local stack, started the way an operator starts it: a signed `/dq run` to the Slack
 * app. The channel prints as the fake Slack receives it: the live message (progress, with its Cancel button), then,
 * since the sample datalake has defects, the failure summary as a new message that mentions the on-call group,
 * with its buttons, and its thread listing every failing symbol by check. At the end the report is checked against
 * the sample datalake's injected defects.
 */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const out = options.stdout ?? process.stdout;
  const market = createSyntheticMarket();
  const asOf = new Date();
  const dir = mkdtempSync(join(tmpdir(), "dq-demo-"));
  const all = market.symbols();
  const sample = await generateSampleDatalake({ dir, market, asOf, symbols: all });
  const defective = Object.keys(sample.labels).filter((s) => (sample.labels[s] ?? []).length > 0);
  const wanted = options.symbols ?? 40;
  const clean = all.filter((s) => !defective.includes(s)).slice(0, Math.max(0, wanted - defective.length));
  const symbols = [...defective, ...clean].sort();

  const windowSeconds = options.windowSeconds ?? 2;
  const creditsPerMinute = options.creditsPerWindow ?? 8;
  out.write(
    `dq demo: ${symbols.length} symbols (${defective.length} with an injected defect) at ${creditsPerMinute} credits per ${windowSeconds} s window, on the local stack\n`,
  );
  // The on-call group the failure summary mentions, as DQ_SLACK_ONCALL sets it for a deployed stack.
  const oncallBefore = process.env[ENV.slackOncall];
  process.env[ENV.slackOncall] = DEMO_ONCALL;
  const stack = await startLocalStack({
    market,
    creditsPerMinute,
    creditWindowSeconds: windowSeconds,
    creditsPerDay: null,
    datalake: sample.uriTemplate,
    visibilityTimeoutSeconds: Math.max(2, windowSeconds * 3),
    processorConcurrency: 4,
    log: terminalLog({ verbose: options.verbose }),
    slack: { onMessage: terminalPrinter((text) => out.write(`${text}\n`)) },
  });
  try {
    const slack = stack.slack;
    if (!slack) throw new Error("the local stack has no Slack app");
    const text = `run ${symbols.join(" ")} --lookback 10`;
    out.write(`\n> /dq run <${symbols.length} symbols> --lookback 10   (a signed request to ${slack.requestUrl})\n`);
    const started = Date.now();
    const answer = await sendSlashCommand(slack.requestUrl, slack.signingSecret, {
      text,
      userId: LOCAL_SLACK.admin,
      channelId: LOCAL_SLACK.channel,
      responseUrl: slack.fakeSlack.responseUrl(),
    });
    if (answer.status !== 200) throw new Error(`the Slack app answered ${answer.status}: ${answer.body}`);
    const acknowledgement = answer.body ? String((JSON.parse(answer.body) as { text?: string }).text ?? "") : "";
    out.write(
      `  acknowledged in ${Date.now() - started} ms: ${acknowledgement}\n\nWhat #${LOCAL_SLACK.channel} shows:\n`,
    );
    const sessionId = await waitForSession(stack, started);
    const elapsedMs = Date.now() - started;
    const { results } = await stack.runtime.operations.allResults(sessionId);
    const comparison = compareWithLabels(results, sample.labels);
    // The full report (what `dq results` prints): every issue, warnings included, on the symbols that have any.
    const withIssues = results.filter((r) => r.issues.length > 0 || r.status !== "pass");
    out.write(
      `\n${tableReport(asOf.toISOString(), withIssues, `dq report: the ${withIssues.length} of ${results.length} symbols with issues,`)}\n`,
    );
    const counts = stack.emulator?.counts();
    out.write(`\n${describeComparison(comparison)}\n`);
    out.write(
      `Provider: ${counts?.requests ?? "?"} requests, ${counts?.credits ?? "?"} credits for ${symbols.length} symbols, ${counts?.rateLimited ?? "?"} rate-limited (429), ${counts?.repeatedSymbols.length ?? "?"} symbols requested twice; the run took ${(elapsedMs / 1000).toFixed(1)} s\n`,
    );
    const report = await writeDemoReport(stack, sessionId, { creditsPerWindow: creditsPerMinute, windowSeconds });
    out.write(`Report page: ${report}\n`);
    return {
      sessionId,
      found: comparison.found.length,
      missed: comparison.missed.length,
      falseAlarms: comparison.falseAlarms.length,
      rateLimited: counts?.rateLimited ?? 0,
      repeatedSymbols: counts?.repeatedSymbols.length ?? 0,
      elapsedMs,
    };
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
    if (oncallBefore === undefined) delete process.env[ENV.slackOncall];
    else process.env[ENV.slackOncall] = oncallBefore;
  }
}

/** The session the slash command started (the coordinator runs asynchronously), followed until it is final. */
async function waitForSession(stack: LocalStack, since: number): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const latest = (await stack.runtime.operations.list(1)).items[0];
    if (
      latest &&
      latest.startedBy.kind === "slack" &&
      Date.parse(latest.createdAt) >= since - 1_000 &&
      latest.finalEventAt
    ) {
      await stack.eventBridge.idle();
      // The notifier rewrites the summary once more after a short settle; let it land before stopping.
      await new Promise((r) => setTimeout(r, 2_500));
      return latest.sessionId;
    }
    if (Date.now() > deadline) throw new Error("the demo session did not finish within two minutes");
    await new Promise((r) => setTimeout(r, 200));
  }
}
