import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../local/slack/fake-slack.ts";
import { LOCAL_SLACK } from "../../local/slack/local-slack.ts";
import { sendSlashCommand } from "../../local/slack/slash-command.ts";
import { signSlackRequest, slashCommandBody } from "../helpers/slack-requests.ts";
import { waitUntil } from "../helpers/wait-until.ts";
import { market, PLAN_ENV, sampleDatalake } from "./pinned-market.ts";
import { CHILD_TIMEOUT_MS, DqProcess, freshHome } from "./run-dq.ts";

/**
 * `dq local` attached to a Slack of the operator's choosing: started as a user starts it, with SLACK_SIGNING_SECRET,
 * SLACK_BOT_TOKEN and SLACK_API_URL set, here pointing at a Slack-compatible Web API (the fake Slack) that accepts
 * only that token. The session started from Slack runs as of now (`/dq run` has no as-of): only its messages are
 * asserted, never its results.
 */
const SIGNING_SECRET = "operator-signing-secret-0123456789";
const BOT_TOKEN = "xoxb-operator-bot-token";

let slack: FakeSlack;
let local: DqProcess;
let requestUrl: string;

beforeAll(async () => {
  const [fake, lake] = await Promise.all([startFakeSlack({ token: BOT_TOKEN }), sampleDatalake()]);
  slack = fake;
  local = new DqProcess(["local", "--datalake", lake.uriTemplate, "--no-schedule"], {
    env: {
      ...PLAN_ENV,
      DQ_HOME: freshHome(),
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: slack.apiUrl,
    },
    timeoutMs: 120_000,
  });
  requestUrl = (await local.waitForStdout(/ {2}slack app {4}(http:\/\/\S+\/slack\/events)/, 60_000))[1] as string;
}, 90_000);

afterAll(async () => {
  await local?.interrupt();
  await slack?.stop();
});

describe("dq local with the Slack variables set", { timeout: CHILD_TIMEOUT_MS }, () => {
  it("uses them instead of its fake Slack, and never prints the secret it was given", () => {
    expect(local.stdout).toContain(`  slack api    ${slack.apiUrl} (SLACK_API_URL, bot token from SLACK_BOT_TOKEN)`);
    expect(local.stdout).toContain("(signing secret from SLACK_SIGNING_SECRET)");
    expect(local.stdout).not.toContain(SIGNING_SECRET);
    expect(local.stdout).not.toContain(BOT_TOKEN);
  });

  it("refuses a request signed with another secret", async () => {
    const body = slashCommandBody({ text: "status", channel_id: LOCAL_SLACK.channel, user_id: LOCAL_SLACK.admin });
    const headers = signSlackRequest(body, "not-the-operator-secret", Math.floor(Date.now() / 1000));

    const answer = await fetch(requestUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body,
    });

    expect(answer.status).toBe(401);
  });

  it("runs a correctly signed /dq run and posts its progress and summary to SLACK_API_URL with SLACK_BOT_TOKEN", async () => {
    const symbols = market.symbols().slice(0, 12);

    const answer = await sendSlashCommand(requestUrl, SIGNING_SECRET, {
      text: `run ${symbols.join(" ")} --lookback 10`,
      userId: LOCAL_SLACK.admin,
      channelId: LOCAL_SLACK.channel,
      responseUrl: slack.responseUrl(),
    });

    expect(answer.status).toBe(200);
    const posted = () =>
      [...slack.calls("chat.postMessage"), ...slack.calls("chat.update")].sort((x, y) => x.at - y.at);
    const text = (call: { args: Record<string, unknown> }) => String(call.args.text ?? "");
    // The live message's progress (one update per credit window at most) names the session…
    const progress = await waitUntil(() => posted().find((c) => /^dq session s-\S+: [▓░]+/.test(text(c))), {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: "the session's progress in the channel",
    });
    const sessionId = /^dq session (s-\S+):/.exec(text(progress))?.[1] as string;
    // …and its summary follows, once the session is over.
    await waitUntil(
      () =>
        posted().find((c) => c.at >= progress.at && text(c).includes(sessionId) && /completed|finished/.test(text(c))),
      { timeoutMs: 60_000, intervalMs: 200, what: "the session's summary in the channel" },
    );
    expect(text(posted()[0] ?? { args: {} })).toMatch(/^Starting dq run on /);
    expect(posted().every((call) => call.token === BOT_TOKEN)).toBe(true);
    expect(posted().every((call) => call.args.channel === LOCAL_SLACK.channel)).toBe(true);
  });

  it("stops on Ctrl-C with exit code 0", async () => {
    const out = await local.interrupt();

    expect(out.code).toBe(0);
    expect(out.stdout).toContain("stopping the local stack");
  });
});
