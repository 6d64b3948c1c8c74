import { afterEach, describe, expect, it } from "vitest";
import { createSlackLambdaHandler } from "../../../app/handlers/slack.ts";
import type { SlackHandlerDeps } from "../../../app/slack/app.ts";
import { lambdaContext } from "../../../local/aws/lambda-context.ts";
import { type FakeSlack, startFakeSlack } from "../../../local/slack/fake-slack.ts";
import { type SlackHttpServer, startSlackHttpServer } from "../../../local/slack/slack-http-server.ts";
import { MemoryLog } from "../../helpers/memory-log.ts";
import {
  FakeOperations,
  InProcessSlackJobs,
  MemorySchedule,
  MemorySlackState,
  RecordingStarter,
} from "../../helpers/slack-ports.ts";
import { BOT_TOKEN, SIGNING_SECRET, signSlackRequest, slashCommandBody } from "../../helpers/slack-requests.ts";

let slack: FakeSlack | undefined;
let server: SlackHttpServer | undefined;
afterEach(async () => {
  await server?.stop();
  await slack?.stop();
  server = undefined;
  slack = undefined;
});

async function start() {
  slack = await startFakeSlack({ token: BOT_TOKEN });
  const starter = new RecordingStarter();
  const jobs = new InProcessSlackJobs();
  const deps: SlackHandlerDeps = {
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    slackApiUrl: slack.apiUrl,
    operations: new FakeOperations(),
    starter,
    schedule: new MemorySchedule(),
    policy: { allowedUsers: [], allowedChannels: ["C0OPS"], admins: [] },
    log: new MemoryLog(),
    jobs,
    state: new MemorySlackState(),
  };
  // The work goes to the same function, as the Slack function's asynchronous invocation of itself does.
  const worker = createSlackLambdaHandler(deps);
  jobs.deliverTo((event) => worker(event, lambdaContext("slack")));
  server = await startSlackHttpServer({ deps });
  return { slack, server, starter, jobs };
}

function post(url: string, body: string, headers: Record<string, string>) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

describe("startSlackHttpServer", () => {
  it("serves the Slack function at /slack/events on loopback", async () => {
    const { server } = await start();

    expect(server.requestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/slack\/events$/);
  });

  it("starts a session for a signed /dq run and posts the live message to Slack", async () => {
    const { slack, server, starter, jobs } = await start();
    const body = slashCommandBody({
      text: "run AAPL MSFT --lookback 5",
      trigger_id: "t-http",
      response_url: slack.responseUrl(),
    });

    const response = await post(
      server.requestUrl,
      body,
      signSlackRequest(body, SIGNING_SECRET, Math.floor(Date.now() / 1000)),
    );

    expect(response.status).toBe(200);
    expect(((await response.json()) as { text: string }).text).toContain("Starting dq run");
    await jobs.idle();
    expect(starter.inputs).toMatchObject([{ symbols: ["AAPL", "MSFT"], idempotencyKey: "slack:t-http" }]);
    expect(slack.messages("C0OPS")).toHaveLength(1);
  });

  it("answers 401 to an unsigned request", async () => {
    const { server, starter } = await start();

    const response = await post(server.requestUrl, slashCommandBody({ text: "run AAPL" }), {});

    expect(response.status).toBe(401);
    expect(starter.inputs).toEqual([]);
  });
});
