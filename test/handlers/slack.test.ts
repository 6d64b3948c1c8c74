import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SessionStartError } from "../../app/adapters/lambda/session-starter.ts";
import { createSlackLambdaHandler, type SlackLambdaResponse } from "../../app/handlers/slack.ts";
import { OperationError } from "../../app/pipeline/operations.ts";
import { ActionId } from "../../app/slack/action-ids.ts";
import type { SlackPolicy } from "../../app/slack/authorization.ts";
import { lambdaContext } from "../../local/aws/lambda-context.ts";
import { type FakeSlack, startFakeSlack } from "../../local/slack/fake-slack.ts";
import { MemoryLog } from "../helpers/memory-log.ts";
import { sessionInProgress } from "../helpers/session-records.ts";
import {
  FakeOperations,
  InProcessSlackJobs,
  MemorySchedule,
  MemorySlackState,
  RecordingStarter,
} from "../helpers/slack-ports.ts";
import {
  type BlockActionFields,
  BOT_TOKEN,
  blockActionBody,
  type SignedEventOptions,
  type SlashCommandFields,
  signedSlackEvent,
  slashCommandBody,
} from "../helpers/slack-requests.ts";

const OPS_CHANNEL = "C0OPS";
const ALICE = "U0ALICE";
const ADMIN = "U0ADMIN";
const SESSION = "s-0123456789abcdef0123";
const POLICY: SlackPolicy = { allowedUsers: [ALICE, "U0BOB"], allowedChannels: [OPS_CHANNEL], admins: [ADMIN] };

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack({ token: BOT_TOKEN });
});
afterEach(async () => {
  await slack.stop();
});

function setup(options: { policy?: SlackPolicy; operations?: FakeOperations; botIds?: boolean } = {}) {
  const starter = new RecordingStarter();
  const operations = options.operations ?? new FakeOperations();
  const schedule = new MemorySchedule();
  const log = new MemoryLog();
  const jobs = new InProcessSlackJobs();
  const state = new MemorySlackState();
  const handle = createSlackLambdaHandler({
    signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
    botToken: BOT_TOKEN,
    ...(options.botIds ? { botUserId: "UDQBOT", botId: "BDQBOT" } : {}),
    slackApiUrl: slack.apiUrl,
    operations,
    starter,
    schedule,
    policy: options.policy ?? POLICY,
    log,
    jobs,
    state,
  });
  jobs.deliverTo((event) => handle(event, lambdaContext("slack")));
  const send = (fields: SlashCommandFields, eventOptions: SignedEventOptions = {}) =>
    handle(
      signedSlackEvent(slashCommandBody({ response_url: slack.responseUrl(), ...fields }), eventOptions),
      lambdaContext("slack"),
    );
  const press = (fields: BlockActionFields, eventOptions: SignedEventOptions = {}) =>
    handle(
      signedSlackEvent(blockActionBody({ responseUrl: slack.responseUrl("actions/1"), ...fields }), eventOptions),
      lambdaContext("slack"),
    );
  /** Sends, then waits for the work it handed on. */
  const sendAndWork = async (fields: SlashCommandFields, eventOptions: SignedEventOptions = {}) => {
    const response = await send(fields, eventOptions);
    await jobs.idle();
    return response;
  };
  const pressAndWork = async (fields: BlockActionFields, eventOptions: SignedEventOptions = {}) => {
    const response = await press(fields, eventOptions);
    await jobs.idle();
    return response;
  };
  return { starter, operations, schedule, log, jobs, state, send, press, sendAndWork, pressAndWork };
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

describe("the acknowledgement: in time, first, and whatever Slack does", () => {
  /**
   * Slack gives a slash command 3 s. The acknowledgement calls no Slack API, so a Slack that takes 5 s per call
   * cannot delay it: 300 ms is the bound, far above what a hand-off in process takes and far below 5 s.
   */
  const ACK_BOUND_MS = 300;

  it("answers every slash command in under 300 ms while every Slack call takes 5 s, before any other reply", async () => {
    const { send, jobs, starter } = setup();
    slack.setLatency(5_000);
    const commands: SlashCommandFields[] = [
      { text: "run AAPL MSFT --lookback 5" },
      { text: "status" },
      { text: `status ${SESSION}` },
      { text: `retry ${SESSION}` },
      { text: `cancel ${SESSION}`, user_id: ADMIN },
      { text: "schedule" },
      { text: "schedule pause", user_id: ADMIN },
      { text: "mute AAPL for 7d" },
      { text: "help" },
      { text: "run AAPL --lookback 999" },
      { text: "frobnicate" },
      { text: "run AAPL", user_id: "U0MALLORY" },
    ];

    const answered: { took: number; at: number; status: number }[] = [];
    for (const [i, fields] of commands.entries()) {
      const started = performance.now();
      const response = await send({ ...fields, trigger_id: `trig-slow-${i}` });
      answered.push({ took: performance.now() - started, at: Date.now(), status: response.statusCode });
    }
    await jobs.idle();

    expect(answered.map((a) => a.status)).toEqual(commands.map(() => 200));
    for (const a of answered) expect(a.took).toBeLessThan(ACK_BOUND_MS);
    const lastAck = Math.max(...answered.map((a) => a.at));
    const others = slack.calls().filter((c) => c.method !== "auth.test");
    expect(others.length).toBeGreaterThan(0);
    for (const call of others) expect(call.at).toBeGreaterThanOrEqual(lastAck);
    expect(starter.inputs).toHaveLength(1);
  });

  it("sends the acknowledgement before the work's replies, command after command", async () => {
    const { send, jobs } = setup();

    for (const text of ["status", `status ${SESSION}`, "schedule", "run AAPL"]) {
      const before = slack.calls().length;
      const response = await send({ text, trigger_id: `trig-${text}` });
      const acked = Date.now();
      await jobs.idle();

      expect(response.statusCode).toBe(200);
      const work = slack.calls().slice(before);
      expect(work.length).toBeGreaterThan(0);
      for (const call of work) expect(call.at).toBeGreaterThanOrEqual(acked);
    }
  });

  it("does not fail the next request when auth.test fails: the bot's IDs come from config, auth.test is never called", async () => {
    slack.failNext("auth.test", { status: 500, error: "internal_error" }, 5);
    const { send, sendAndWork } = setup({ botIds: true });

    const first = await send({ text: "help" });
    const second = await sendAndWork({ text: "status" });

    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(replies()).toContain("Recent dq sessions");
    expect(slack.calls("auth.test")).toEqual([]);
  });

  it("calls no auth.test either when the bot's IDs are not configured", async () => {
    slack.failNext("auth.test", { status: 500 });
    const { send } = setup();

    const answers = [await send({ text: "help" }), await send({ text: "help" })];

    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    expect(slack.calls("auth.test")).toEqual([]);
  });

  it("answers at once, with what to do, when the work cannot be handed on", async () => {
    const { send, jobs, starter } = setup();
    jobs.failWith = new Error("Lambda: Rate exceeded");

    const response = await send({ text: "run AAPL", trigger_id: "trig-lost" });

    const text = ackText(response);
    expect(text).toContain("could not take the request just now; nothing was done");
    expect(text).toContain("trig-lost");
    expect(text).not.toContain("Rate exceeded");
    expect(starter.inputs).toEqual([]);
  });
});

describe("/dq run", () => {
  it("acknowledges with an ephemeral message, posts the live message and starts the session once", async () => {
    const { sendAndWork, starter } = setup();

    const response = await sendAndWork({ text: "run AAPL MSFT --lookback 5", trigger_id: "trig-1" });

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
    expect(replies()).toContain("Started session `s-started-1`, 2 symbols");
  });

  it("runs the configured universe when no symbols are named", async () => {
    const { sendAndWork, starter } = setup();

    await sendAndWork({ text: "run" });

    expect(starter.inputs[0]?.symbols).toBeUndefined();
    expect(slack.messages(OPS_CHANNEL)[0]?.text).toContain("the configured universe");
  });

  it("starts nothing for a redelivery (X-Slack-Retry-Num)", async () => {
    const { sendAndWork, starter } = setup();

    const response = await sendAndWork(
      { text: "run AAPL MSFT --lookback 5" },
      { headers: { "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout" } },
    );

    expect(ackText(response)).toContain("already received");
    expect(starter.inputs).toEqual([]);
    expect(slack.calls("chat.postMessage")).toEqual([]);
  });

  it("replaces “Starting…” with the reason when the coordinator rejects the start", async () => {
    const { sendAndWork, starter } = setup();
    starter.answer = { status: "rejected", reason: "the universe is empty: the datalake lists no symbols" };

    await sendAndWork({ text: "run" });

    const live = slack.messages(OPS_CHANNEL)[0];
    expect(live?.updates).toBe(1);
    expect(live?.text).toContain("could not start: the universe is empty");
    expect(replies()).toContain("the universe is empty");
  });

  it("says what to do, and nothing internal, in the channel when the coordinator cannot be invoked", async () => {
    const { sendAndWork, starter, log } = setup();
    starter.failWith = new SessionStartError(
      "arn:aws:lambda:us-east-1:123456789012:function:dq-prod-coordinator",
      "is busy (throttled)",
      {
        cause: Object.assign(new Error("Rate Exceeded."), { name: "TooManyRequestsException" }),
      },
    );

    await sendAndWork({ text: "run AAPL" });

    const live = allText(slack.messages(OPS_CHANNEL)[0]);
    expect(live).toContain("is busy (throttled)");
    expect(live).toContain("Try again in a minute");
    expect(live).not.toContain("arn:aws");
    expect(live).not.toContain("Rate Exceeded");
    expect(log.lines.some((l) => l.level === "error" && String(l.extra?.error).includes("Rate Exceeded"))).toBe(true);
  });

  it("keeps an internal error out of the live channel message when a start fails", async () => {
    const { sendAndWork, starter } = setup();
    starter.failWith = new TypeError("Cannot read properties of undefined (reading 'send')");

    await sendAndWork({ text: "run AAPL", trigger_id: "trig-11" });

    const live = slack.messages(OPS_CHANNEL)[0];
    expect(live?.text).toContain("could not start: internal error (logged with trigger trig-11)");
    expect(live?.text).not.toContain("Cannot read properties");
  });

  it("escapes a reason so that it cannot mention anyone", async () => {
    const { sendAndWork, starter } = setup();
    starter.answer = { status: "rejected", reason: "bad start request: <!channel> <@U0BOSS> & co" };

    await sendAndWork({ text: "run" });

    const live = allText(slack.messages(OPS_CHANNEL)[0]);
    expect(live).not.toContain("<!channel>");
    expect(live).not.toContain("<@U0BOSS>");
    expect(live).toContain("&lt;!channel&gt;");
  });

  it("tells the user when the live message cannot be posted, and still starts", async () => {
    const { sendAndWork, starter } = setup();
    slack.failNext("chat.postMessage", { error: "not_in_channel" });

    await sendAndWork({ text: "run AAPL" });

    expect(starter.inputs).toHaveLength(1);
    expect(starter.inputs[0]?.slack).toBeUndefined();
    expect(replies()).toContain("invite the app");
  });
});

describe("buttons", () => {
  it("starts a linked session when an allowed user presses “Retry failed”", async () => {
    const operations = new FakeOperations([sessionInProgress({ status: "completed" })]);
    const { pressAndWork, starter } = setup({ operations });

    const response = await pressAndWork({ actionId: ActionId.retryFailed, value: SESSION, triggerId: "trig-press" });

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("");
    const live = slack.messages(OPS_CHANNEL)[0];
    expect(live?.text).toContain(`Retrying session \`${SESSION}\``);
    expect(starter.inputs).toEqual([
      {
        retry: SESSION,
        startedBy: { kind: "slack", user: ALICE, channel: OPS_CHANNEL },
        idempotencyKey: "slack:trig-press",
        slack: { channel: OPS_CHANNEL, ts: live?.ts },
      },
    ]);
    expect(replies()).toContain("Started session `s-started-1`");
  });

  it("refuses “Retry failed” to anyone else, ephemerally, and logs it", async () => {
    const operations = new FakeOperations([sessionInProgress({ status: "completed" })]);
    const { pressAndWork, starter, log } = setup({ operations });

    const response = await pressAndWork({ actionId: ActionId.retryFailed, value: SESSION, userId: "U0MALLORY" });

    expect(response.statusCode).toBe(200);
    expect(starter.inputs).toEqual([]);
    expect(slack.calls("chat.postMessage")).toEqual([]);
    expect(replies()).toContain("not on dq's list of allowed users");
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "slack action refused",
        extra: expect.objectContaining({ user: "U0MALLORY" }),
      }),
    );
  });

  it("refuses a button pressed in a channel where dq is not enabled", async () => {
    const operations = new FakeOperations([sessionInProgress({ status: "completed" })]);
    const { pressAndWork, starter } = setup({ operations });

    await pressAndWork({ actionId: ActionId.retryFailed, value: SESSION, channelId: "C0RANDOM" });

    expect(starter.inputs).toEqual([]);
    expect(replies()).toContain("not enabled in this channel");
  });

  it("lets an admin cancel a running session with “Cancel”, and refuses it to an allowed user", async () => {
    const { pressAndWork, operations } = setup();

    await pressAndWork({ actionId: ActionId.cancel, value: SESSION, userId: ALICE });
    expect(operations.cancels).toEqual([]);
    expect(replies()).toContain("reserved for dq admins");

    await pressAndWork({ actionId: ActionId.cancel, value: SESSION, userId: ADMIN });
    expect(operations.cancels).toEqual([{ sessionId: SESSION, by: `slack:${ADMIN}` }]);
    expect(replies()).toContain("cancelled");
  });

  it("verifies a button press like a command: a forged one is answered 401 and does nothing", async () => {
    const operations = new FakeOperations([sessionInProgress({ status: "completed" })]);
    const { pressAndWork, starter, jobs } = setup({ operations });

    const forged = await pressAndWork(
      { actionId: ActionId.retryFailed, value: SESSION },
      { signature: `v0=${"0".repeat(64)}` },
    );
    const stale = await pressAndWork(
      { actionId: ActionId.retryFailed, value: SESSION },
      { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );

    expect([forged.statusCode, stale.statusCode]).toEqual([401, 401]);
    expect(jobs.jobs).toEqual([]);
    expect(starter.inputs).toEqual([]);
  });

  it("only acknowledges a link button, and ignores a press that names no session", async () => {
    const { pressAndWork, jobs } = setup();

    const link = await pressAndWork({ actionId: ActionId.openLogs });
    const malformed = await pressAndWork({ actionId: ActionId.retryFailed, value: "<!channel>" });

    expect([link.statusCode, malformed.statusCode]).toEqual([200, 200]);
    expect(jobs.jobs).toEqual([]);
    expect(slack.calls()).toEqual([]);
  });
});

describe("request verification", () => {
  it("answers 401 to a forged signature and does nothing", async () => {
    const { sendAndWork, starter } = setup();

    const response = await sendAndWork({ text: "run AAPL" }, { signature: `v0=${"0".repeat(64)}` });

    expect(response.statusCode).toBe(401);
    expect(starter.inputs).toEqual([]);
    expect(slack.calls()).toEqual([]);
  });

  it("answers 401 to a body signed with another secret", async () => {
    const { sendAndWork, starter } = setup();

    const response = await sendAndWork({ text: "run AAPL" }, { secret: "not-the-signing-secret" });

    expect(response.statusCode).toBe(401);
    expect(starter.inputs).toEqual([]);
  });

  it("answers 401 to a correctly signed request older than five minutes", async () => {
    const { sendAndWork, starter, log } = setup();

    const response = await sendAndWork({ text: "run AAPL" }, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });

    expect(response.statusCode).toBe(401);
    expect(starter.inputs).toEqual([]);
    expect(log.lines.some((l) => l.level === "warn" && l.message.includes("signature"))).toBe(true);
  });
});

describe("authorization", () => {
  it("refuses a user who is not allowed, ephemerally, logs it and starts nothing", async () => {
    const { sendAndWork, starter, log } = setup();

    const response = await sendAndWork({ text: "run AAPL", user_id: "U0MALLORY" });

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
    const { sendAndWork, starter } = setup();

    const response = await sendAndWork({ text: "run AAPL", channel_id: "C0RANDOM" });

    expect(ackText(response)).toContain("not enabled in this channel");
    expect(starter.inputs).toEqual([]);
  });

  it("refuses cancel to a user who is not an admin", async () => {
    const { sendAndWork, operations } = setup();

    const response = await sendAndWork({ text: `cancel ${SESSION}` });

    expect(ackText(response)).toContain("reserved for dq admins");
    expect(operations.cancels).toEqual([]);
  });

  it("lets an admin cancel a running session", async () => {
    const { sendAndWork, operations } = setup();

    const response = await sendAndWork({ text: `cancel ${SESSION}`, user_id: ADMIN });

    expect(ackText(response)).toContain("Cancelling session");
    expect(operations.cancels).toEqual([{ sessionId: SESSION, by: `slack:${ADMIN}` }]);
    expect(replies()).toContain("cancelled");
  });

  it("refuses everything but help when no allow-list is configured", async () => {
    const { sendAndWork, starter } = setup({ policy: { allowedUsers: [], allowedChannels: [], admins: [] } });

    const response = await sendAndWork({ text: "run AAPL" });

    expect(ackText(response)).toContain("no allowed users or channels configured");
    expect(starter.inputs).toEqual([]);
  });
});

describe("malformed commands", () => {
  it("explains a lookback out of range without a stack trace", async () => {
    const { sendAndWork, starter } = setup();

    const response = await sendAndWork({ text: "run AAPL --lookback 999" });

    const text = ackText(response);
    expect(text).toContain("--lookback must be a whole number of days from 1 to 366");
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    expect(starter.inputs).toEqual([]);
  });

  it("explains a symbol that does not match the pattern", async () => {
    const { sendAndWork } = setup();

    const response = await sendAndWork({ text: "run AAPL ../etc/passwd" });

    expect(ackText(response)).toContain("is not a symbol");
  });

  it("answers text it does not understand with the commands it knows", async () => {
    const { sendAndWork } = setup();

    const response = await sendAndWork({ text: "frobnicate everything" });

    const text = JSON.stringify(JSON.parse(response.body));
    expect(text).toContain("does not know");
    expect(text).toContain("/dq run");
  });

  it("answers a failure after the acknowledgement with one line, never a stack trace", async () => {
    const operations = new FakeOperations();
    operations.failStatusWith = new TypeError("Cannot read properties of undefined (reading 'items')");
    const { sendAndWork, log } = setup({ operations });

    await sendAndWork({ text: "status latest", trigger_id: "trig-9" });

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
    const { sendAndWork } = setup({ operations });

    await sendAndWork({ text: "status s-missing" });

    expect(replies()).toContain("no session s-missing");
  });

  it("decides by class, not by name: an internal error named like a user-facing one stays hidden", async () => {
    const operations = new FakeOperations();
    operations.failStatusWith = Object.assign(new Error("table dq-internal: ProvisionedThroughputExceeded"), {
      name: "OperationError",
    });
    const { sendAndWork, log } = setup({ operations });

    await sendAndWork({ text: "status latest", trigger_id: "trig-10" });

    expect(replies()).toContain("internal error (logged with trigger trig-10)");
    expect(replies()).not.toContain("dq-internal");
    expect(log.lines.some((l) => l.level === "error" && String(l.extra?.message).includes("dq-internal"))).toBe(true);
  });
});

describe("/dq mute", () => {
  it("mutes symbols for seven days by default, with a TTL, and says the checks still run", async () => {
    const { sendAndWork, state } = setup();
    const before = Date.now();

    await sendAndWork({ text: "mute AAPL brk.b" });

    const mutes = await state.activeMutes(Date.now());
    expect(mutes.map((m) => [m.symbol, m.by])).toEqual([
      ["AAPL", ALICE],
      ["BRK.B", ALICE],
    ]);
    const days = (Date.parse(mutes[0]?.until as string) - before) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    expect(replies()).toContain("Muted AAPL, BRK.B until");
    expect(replies()).toContain("never out of the checks or the results");
  });

  it("mutes for the time asked, lists the mutes, and unmutes", async () => {
    const { sendAndWork, state } = setup();

    await sendAndWork({ text: "mute MSFT for 12h" });
    const [mute] = await state.activeMutes(Date.now());
    expect(Date.parse(mute?.until as string) - Date.now()).toBeLessThanOrEqual(12 * 3_600_000);
    await sendAndWork({ text: "mute" });
    expect(replies()).toContain("*MSFT* until");
    await sendAndWork({ text: "unmute MSFT TSLA" });

    expect(await state.activeMutes(Date.now())).toEqual([]);
    expect(replies()).toContain("Unmuted MSFT");
    expect(replies()).toContain("TSLA was not muted");
  });

  it("refuses a mute longer than 90 days or of something that is not a symbol, at once", async () => {
    const { sendAndWork, jobs } = setup();

    const tooLong = await sendAndWork({ text: "mute AAPL for 91d" });
    const notSymbol = await sendAndWork({ text: "mute <!channel>" });

    expect(ackText(tooLong)).toContain("a mute lasts from 1h to 90d");
    expect(ackText(notSymbol)).toContain("is not a symbol");
    expect(jobs.jobs).toEqual([]);
  });

  it("is for allowed users only", async () => {
    const { sendAndWork, state } = setup();

    const response = await sendAndWork({ text: "mute AAPL", user_id: "U0MALLORY" });

    expect(ackText(response)).toContain("not on dq's list of allowed users");
    expect(await state.activeMutes(Date.now())).toEqual([]);
  });
});

describe("/dq status, retry, schedule and help", () => {
  it("renders a session's progress bar, counts, ETA, credits and failed symbols", async () => {
    const { sendAndWork } = setup();

    const response = await sendAndWork({ text: `status ${SESSION}` });

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
    const { sendAndWork } = setup({ operations: new FakeOperations([failed]) });

    await sendAndWork({ text: "status latest" });

    expect(replies()).toContain("2 of 25 batches failed after every retry");
    expect(replies()).toContain(`\`/dq retry ${SESSION}\``);
    expect(replies()).toContain("*Duration*\\n22m 00s");
  });

  it("lists the recent sessions when no session is named", async () => {
    const operations = new FakeOperations([
      sessionInProgress(),
      sessionInProgress({ sessionId: "s-older", status: "completed" }),
    ]);
    const { sendAndWork } = setup({ operations });

    await sendAndWork({ text: "status" });

    expect(replies()).toContain("s-older");
    expect(replies()).toContain("Recent dq sessions");
  });

  it("starts the retry of a finished session through the coordinator, with a new live message", async () => {
    const operations = new FakeOperations([sessionInProgress({ status: "failed" })]);
    const { sendAndWork, starter } = setup({ operations });

    await sendAndWork({ text: `retry ${SESSION}`, trigger_id: "trig-r" });

    const [live] = slack.messages(OPS_CHANNEL);
    expect(starter.inputs).toEqual([
      {
        retry: SESSION,
        startedBy: { kind: "slack", user: ALICE, channel: OPS_CHANNEL },
        idempotencyKey: "slack:trig-r",
        slack: { channel: OPS_CHANNEL, ts: live?.ts },
      },
    ]);
    expect(live?.text).toContain(SESSION);
  });

  it("refuses to retry a session that is still running, and starts nothing", async () => {
    const operations = new FakeOperations([sessionInProgress({ status: "running" })]);
    const { sendAndWork, starter } = setup({ operations });

    await sendAndWork({ text: `retry ${SESSION}`, trigger_id: "trig-r2" });

    expect(starter.inputs).toEqual([]);
    expect(replies()).toContain("still running");
  });

  it("moves the daily schedule for an admin, keeping the days", async () => {
    const { sendAndWork, schedule } = setup();

    await sendAndWork({ text: "schedule set 05:15 Europe/London", user_id: ADMIN });

    expect(schedule.info).toMatchObject({ expression: "cron(15 5 ? * TUE-SAT *)", timezone: "Europe/London" });
    expect(replies()).toContain("05:15 Europe/London");
  });

  it("shows the daily schedule to an allowed user", async () => {
    const { sendAndWork } = setup();

    await sendAndWork({ text: "schedule" });

    expect(replies()).toContain("04:30 UTC, TUE-SAT");
  });

  it("answers /dq help with the commands", async () => {
    const { sendAndWork } = setup();

    const response = await sendAndWork({ text: "help", user_id: "U0ANYONE", channel_id: "C0ANY" });

    const body = JSON.stringify(JSON.parse(response.body));
    for (const verb of ["/dq run", "/dq status", "/dq retry", "/dq cancel", "/dq schedule", "/dq mute"])
      expect(body).toContain(verb);
  });
});

function allText(message: { text: string; blocks: unknown[] } | undefined): string {
  return `${message?.text}\n${JSON.stringify(message?.blocks)}`;
}
