import type { Command } from "commander";
import { CliError } from "./errors.ts";

/**
 * The local stack is development tooling (`local/`, with dev dependencies such as dynalite and fauxqs), not part of
 * what the Lambdas or `dq check` run: its commands load it only when they are used, so the rest of the CLI starts
 * fast and works where dev dependencies are not installed.
 */
async function loadLocalTooling(): Promise<typeof import("../../local/cli-commands.ts")> {
  try {
    return await import("../../local/cli-commands.ts");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND")
      throw new CliError("the local stack needs the development dependencies: run `npm install` in the checkout", {
        cause: error,
      });
    throw error;
  }
}

export function registerLocalCommands(program: Command): void {
  program
    .command("local")
    .description("start the local stack (emulators, shims, handlers) and keep it up; other dq commands find it")
    .option("--datalake <uri-template>", "default datalake of sessions (default: a generated sample datalake)")
    .option("--no-schedule", "leave out the daily schedule: sessions start only when asked")
    .option("--verbose", "print every log line as JSON")
    .addHelpText(
      "after",
      `
Slack: the app is served at the printed request URL and posts to a fake Slack Web API, unless
SLACK_BOT_TOKEN (with SLACK_API_URL for a Slack-compatible API) names another; SLACK_SIGNING_SECRET
verifies the requests; SLACK_APP_TOKEN (xapp-…) also connects it to Slack over Socket Mode.
DQ_SLACK_CHANNEL, DQ_SLACK_ADMINS, DQ_SLACK_ALLOWED_USERS and DQ_SLACK_ALLOWED_CHANNELS as deployed.`,
    )
    .action(async (opts: { datalake?: string; verbose?: boolean; schedule: boolean }) =>
      (await loadLocalTooling()).runLocalCommand(opts),
    );

  program
    .command("demo")
    .description("a whole session on the local stack over a sample datalake with known defects")
    .option("--symbols <n>", "symbols to check", (v) => Number.parseInt(v, 10), 40)
    .option("--window-seconds <s>", "the scaled credit window", (v) => Number(v), 2)
    .option("--verbose", "print every log line as JSON")
    .action(async (opts: { symbols: number; windowSeconds: number; verbose?: boolean }) =>
      (await loadLocalTooling()).runDemoCommand(opts),
    );
}

/** `dq slack "<text>"`: what typing `/dq <text>` in the local channel does, as a signed request to the local app. */
export function registerSlackCommand(program: Command): void {
  program
    .command("slack")
    .description("send `/dq <text>` to the local stack's Slack app as Slack would (signed); replies print in dq local")
    .argument("<text>", 'the command text, e.g. "run AAPL MSFT --lookback 5" or "status"')
    .option("--user <id>", "the Slack user sending it (default: the local admin)")
    .option("--channel <id>", "the channel it is sent from (default: the local channel)")
    .action(async (text: string, opts: { user?: string; channel?: string }) =>
      (await loadLocalTooling()).runSlackCommand(text, opts),
    );
}
