import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SessionStartError } from "../../app/adapters/lambda/async-starter.ts";
import { createSlackLambdaHandler, type SlackLambdaResponse } from "../../app/handlers/slack.ts";
import { OperationError } from "../../app/pipeline/operations.ts";
import type { SlackPolicy } from "../../app/slack/authorization.ts";
import { lambdaContext } from "../../local/aws/lambda-context.ts";
import { type FakeSlack, startFakeSlack } from "../../local/slack/fake-slack.ts";
import { MemoryLog } from "../helpers/memory-log.ts";
import { sessionInProgress } from "../helpers/session-records.ts";
import { FakeOperations, MemorySchedule, RecordingStarter } from "../helpers/slack-ports.ts";
import {
  BOT_TOKEN,
  type SignedEventOptions,
  type SlashCommandFields,
  signedSlackEvent,
  slashCommandBody,
} from "../helpers/slack-requests.ts";

const OPS_CHANNEL = "C0OPS";
const ALICE = "U0ALICE";
const ADMIN = "U0ADMIN";
const POLICY: SlackPolicy = { allowedUsers: [ALICE, "U0BOB"], allowedChannels: [OPS_CHANNEL], admins: [ADMIN] };

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack({ token: BOT_TOKEN });
});
afterEach(async () => {
  await slack.stop();
});

function setup(options: { policy?: SlackPolicy; operations?: FakeOperations } = {}) {
  const starter = new RecordingStarter();
  const operations = options.operations ?? new FakeOperations();
  const schedule = new MemorySchedule();
  const log = new MemoryLog();
  const handle = createSlackLambdaHandler({
    signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
    botToken: BOT_TOKEN,
    slackApiUrl: slack.apiUrl,
    operations,
    starter,
    schedule,
    policy: options.policy ?? POLICY,
    log,
  });
  const send = (fields: SlashCommandFields, eventOptions: SignedEventOptions = {}) =>
    handle(
      signedSlackEvent(slashCommandBody({ response_url: slack.responseUrl(), ...fields }), eventOptions),
      lambdaContext("slack"),
    );
  return { starter, operations, schedule, log, send };
}

/** The ephemeral message the HTTP answer (the ack) carries. */
function ackText(response: SlackLambdaResponse): string {
  expect(response.statusCode).toBe(200);
  return response.body === "" ? "" : (JSON.parse(response.body) as { text: string }).text;
}

/** Everything sent to the user through the response_url, as one string. */
function replies(): string {
  return slack
    .calls("response_url")
    .map((c) => `${String(c.args.text)}\n${JSON.stringify(c.args.blocks)}`)
    .join("\n");
}

describe("/dq run", () => {
  it("acknowledges with an ephemeral message, posts the live message and hands the start on once", async () => {
    const { send, starter } = setup();

    const response = await send({ text: "run AAPL MSFT --lookback 5", trigger_id: "trig-1" });

    expect(JSON.parse(response.body)).toMatchObject({ response_type: "ephemeral" });
    expect(ackText(response)).toContain("AAPL, MSFT");
    const [live] = slack.messages(OPS_CHANNEL);
    expect(live?.text).toContain("Starting dq run on AAPL, MSFT, lookback 5 days");
    expect(starter.inputs).toEqual([
      {
        symbols: ["AAPL", "MSFT"],
        lookbackDays: 5,
        startedBy: { kind: "slack", user: ALICE, channel: OPS_CHANNEL },
        idempotencyKey: "slack:trig-1",
        slack: { channel: OPS_CHANNEL, ts: live?.ts },
      },
    ]);
  });

  it("runs the configured universe when no symbols are named", async () => {
    const { send, starter } = setup();

    await send({ text: "run" });

    expect(starter.inputs[0]?.symbols).toBeUndefined();
    expect(slack.messages(OPS_CHANNEL)[0]?.text).toContain("the configured universe");
  });

  it("starts nothing for a redelivery (X-Slack-Retry-Num)", async () => {
    const { send, starter } = setup();

    const response = await send(
      { text: "run AAPL MSFT --lookback 5" },
      { headers: { "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout" } },
    );

    expect(ackText(response)).toContain("already received");
    expect(starter.inputs).toEqual([]);
    expect(slack.calls("chat.postMessage")).toEqual([]);
  });

  it("marks the live message when the start cannot be handed on, and tells the user", async () => {
    const { send, starter } = setup();
    starter.failWith = new SessionStartError("dq-test-coordinator", "throttled");

    const response = await send({ text: "run AAPL" });

    expect(ackText(response)).toContain("Starting dq run");
    expect(slack.messages(OPS_CHANNEL)[0]?.text).toContain("could not start");
    expect(replies()).toContain("throttled");
  });
});

describe("request verification", () => {
  it("answers 401 to a forged signature and does nothing", async () => {
    const { send, starter } = setup();

    const response = await send({ text: "run AAPL" }, { signature: `v0=${"0".repeat(64)}` });

    expect(response.statusCode).toBe(401);
    expect(starter.inputs).toEqual([]);
    expect(slack.calls()).toEqual([]);
  });

  it("answers 401 to a body signed with another secret", async () => {
    const { send, starter } = setup();

    const response = await send({ text: "run AAPL" }, { secret: "not-the-signing-secret" });

    expect(response.statusCode).toBe(401);
    expect(starter.inputs).toEqual([]);
  });

  it("answers 401 to a correctly signed request older than five minutes", async () => {
    const { send, starter, log } = setup();

    const response = await send({ text: "run AAPL" }, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });

    expect(response.statusCode).toBe(401);
    expect(starter.inputs).toEqual([]);
    expect(log.lines.some((l) => l.level === "warn" && l.message.includes("signature"))).toBe(true);
  });
});

describe("authorization", () => {
  it("refuses a user who is not allowed, ephemerally, logs it and starts nothing", async () => {
    const { send, starter, log } = setup();

    const response = await send({ text: "run AAPL", user_id: "U0MALLORY" });

    expect(ackText(response)).toContain("not on dq's list of allowed users");
    expect(starter.inputs).toEqual([]);
    expect(slack.calls("chat.postMessage")).toEqual([]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "slack command refused",
        extra: expect.objectContaining({ user: "U0MALLORY" }),
      }),
    );
  });

  it("refuses an allowed user in a channel that is not allowed", async () => {
    const { send, starter } = setup();

    const response = await send({ text: "run AAPL", channel_id: "C0RANDOM" });

    expect(ackText(response)).toContain("not enabled in this channel");
    expect(starter.inputs).toEqual([]);
  });

  it("refuses cancel to a user who is not an admin", async () => {
    const { send, operations } = setup();

    const response = await send({ text: "cancel s-0123456789abcdef0123" });

    expect(ackText(response)).toContain("reserved for dq admins");
    expect(operations.cancels).toEqual([]);
  });

  it("lets an admin cancel a running session", async () => {
    const { send, operations } = setup();

    await send({ text: "cancel s-0123456789abcdef0123", user_id: ADMIN });

    expect(operations.cancels).toEqual([{ sessionId: "s-0123456789abcdef0123", by: `slack:${ADMIN}` }]);
    expect(replies()).toContain("cancelled");
  });

  it("refuses everything but help when no allow-list is configured", async () => {
    const { send, starter } = setup({ policy: { allowedUsers: [], allowedChannels: [], admins: [] } });

    const response = await send({ text: "run AAPL" });

    expect(ackText(response)).toContain("no allowed users or channels configured");
    expect(starter.inputs).toEqual([]);
  });
});

describe("malformed commands", () => {
  it("explains a lookback out of range without a stack trace", async () => {
    const { send, starter } = setup();

    const response = await send({ text: "run AAPL --lookback 999" });

    const text = ackText(response);
    expect(text).toContain("--lookback must be a whole number of days from 1 to 366");
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    expect(starter.inputs).toEqual([]);
  });

  it("explains a symbol that does not match the pattern", async () => {
    const { send } = setup();

    const response = await send({ text: "run AAPL ../etc/passwd" });

    expect(ackText(response)).toContain("is not a symbol");
  });

  it("answers text it does not understand with the commands it knows", async () => {
    const { send } = setup();

    const response = await send({ text: "frobnicate everything" });

    const text = JSON.stringify(JSON.parse(response.body));
    expect(text).toContain("does not know");
    expect(text).toContain("/dq run");
  });

  it("answers a failure after the acknowledgement with one line, never a stack trace", async () => {
    const operations = new FakeOperations();
    operations.failStatusWith = new TypeError("Cannot read properties of undefined (reading 'items')");
    const { send, log } = setup({ operations });

    await send({ text: "status latest", trigger_id: "trig-9" });

    expect(replies()).toContain("internal error (logged with trigger trig-9)");
    expect(replies()).toContain("Try again in a minute");
    expect(replies()).not.toContain("Cannot read properties");
    expect(
      log.lines.some(
        (l) => l.level === "error" && l.extra?.message === "Cannot read properties of undefined (reading 'items')",
      ),
    ).toBe(true);
  });

  it("shows the message of a user-facing error as it is", async () => {
    const operations = new FakeOperations();
    operations.failStatusWith = new OperationError("no session s-missing");
    const { send } = setup({ operations });

    await send({ text: "status s-missing" });

    expect(replies()).toContain("no session s-missing");
  });

  it("decides by class, not by name: an internal error named like a user-facing one stays hidden", async () => {
    const operations = new FakeOperations();
    operations.failStatusWith = Object.assign(new Error("table dq-internal: ProvisionedThroughputExceeded"), {
      name: "OperationError",
    });
    const { send, log } = setup({ operations });

    await send({ text: "status latest", trigger_id: "trig-10" });

    expect(replies()).toContain("internal error (logged with trigger trig-10)");
    expect(replies()).not.toContain("dq-internal");
    expect(log.lines.some((l) => l.level === "error" && String(l.extra?.message).includes("dq-internal"))).toBe(true);
  });

  it("keeps an internal error out of the live channel message when a start fails", async () => {
    const { send, starter } = setup();
    starter.failWith = new TypeError("Cannot read properties of undefined (reading 'send')");

    await send({ text: "run AAPL", trigger_id: "trig-11" });

    const live = slack.messages(OPS_CHANNEL)[0];
    expect(live?.text).toContain("could not start: internal error (logged with trigger trig-11)");
    expect(live?.text).not.toContain("Cannot read properties");
  });
});

describe("/dq status, retry, schedule and help", () => {
  it("renders a session's progress bar, counts, ETA, credits and failed symbols", async () => {
    const { send } = setup();

    const response = await send({ text: "status s-0123456789abcdef0123" });

    expect(response.statusCode).toBe(200);
    const text = replies();
    expect(text).toContain("▓▓▓▓▓░░░░░ 52%");
    expect(text).toContain("13/25 batches");
    expect(text).toContain("ETA ~12m 00s");
    expect(text).toContain("*Credits used*\\n104");
    expect(text).toContain("BRK.B");
  });

  it("shows a finished session's summary with the exact retry command", async () => {
    const failed = sessionInProgress({
      status: "failed",
      finishedAt: "2026-01-16T04:52:00.000Z",
      counters: {
        batchesDone: 23,
        batchesFailed: 2,
        passed: 180,
        failed: 4,
        errored: 16,
        creditsUsed: 184,
        creditsWasted: 0,
      },
    });
    const { send } = setup({ operations: new FakeOperations([failed]) });

    await send({ text: "status latest" });

    expect(replies()).toContain("2 of 25 batches failed after every retry");
    expect(replies()).toContain("`/dq retry s-0123456789abcdef0123`");
    expect(replies()).toContain("*Duration*\\n22m 00s");
  });

  it("lists the recent sessions when no session is named", async () => {
    const operations = new FakeOperations([
      sessionInProgress(),
      sessionInProgress({ sessionId: "s-older", status: "completed" }),
    ]);
    const { send } = setup({ operations });

    await send({ text: "status" });

    expect(replies()).toContain("s-older");
    expect(replies()).toContain("Recent dq sessions");
  });

  it("hands the retry of a finished session to the coordinator, with a new live message", async () => {
    const operations = new FakeOperations([sessionInProgress({ status: "failed" })]);
    const { send, starter } = setup({ operations });

    await send({ text: "retry s-0123456789abcdef0123", trigger_id: "trig-r" });

    const [live] = slack.messages(OPS_CHANNEL);
    expect(starter.inputs).toEqual([
      {
        retry: "s-0123456789abcdef0123",
        startedBy: { kind: "slack", user: ALICE, channel: OPS_CHANNEL },
        idempotencyKey: "slack:trig-r",
        slack: { channel: OPS_CHANNEL, ts: live?.ts },
      },
    ]);
    expect(live?.text).toContain("s-0123456789abcdef0123");
  });

  it("refuses to retry a session that is still running, and starts nothing", async () => {
    const operations = new FakeOperations([sessionInProgress({ status: "running" })]);
    const { send, starter } = setup({ operations });

    await send({ text: "retry s-0123456789abcdef0123", trigger_id: "trig-r2" });

    expect(starter.inputs).toEqual([]);
    expect(replies()).toContain("still running");
  });

  it("moves the daily schedule for an admin, keeping the days", async () => {
    const { send, schedule } = setup();

    await send({ text: "schedule set 05:15 Europe/London", user_id: ADMIN });

    expect(schedule.info).toMatchObject({ expression: "cron(15 5 ? * TUE-SAT *)", timezone: "Europe/London" });
    expect(replies()).toContain("05:15 Europe/London");
  });

  it("shows the daily schedule to an allowed user", async () => {
    const { send } = setup();

    await send({ text: "schedule" });

    expect(replies()).toContain("04:30 UTC, TUE-SAT");
  });

  it("answers /dq help with the commands", async () => {
    const { send } = setup();

    const response = await send({ text: "help", user_id: "U0ANYONE", channel_id: "C0ANY" });

    const body = JSON.stringify(JSON.parse(response.body));
    for (const verb of ["/dq run", "/dq status", "/dq retry", "/dq cancel", "/dq schedule"])
      expect(body).toContain(verb);
  });
});
