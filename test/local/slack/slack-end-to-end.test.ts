import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackLambdaResponse } from "../../../app/handlers/slack.ts";
import type { SessionRecord } from "../../../app/pipeline/model.ts";
import { ActionId } from "../../../app/slack/action-ids.ts";
import type { FakeSlack, FakeSlackMessage } from "../../../local/slack/fake-slack.ts";
import { LOCAL_SLACK } from "../../../local/slack/local-slack.ts";
import { startTestStack, type TestStack } from "../../helpers/local-stack.ts";
import {
  type BlockActionFields,
  blockActionBody,
  type SlashCommandFields,
  signedSlackEvent,
  slashCommandBody,
} from "../../helpers/slack-requests.ts";
import { waitUntil } from "../../helpers/wait-until.ts";

/**
 * The whole Slack path on the local stack: a signed /dq run through the Slack function, its work handed to the
 * function's own asynchronous invocation (the Lambda shim), the coordinator, the pipeline, the notifier's failure
 * summary, and its "Retry failed" button pressed with a signed interactivity payload.
 */
const ALICE = "U0DQALICE";
let t: TestStack;
let fake: FakeSlack;
let signingSecret: string;
beforeAll(async () => {
  // Who may use /dq: the listed user (and the admin), in the local channel.
  t = await startTestStack({ slack: { allowedUsers: ALICE } });
  const slack = t.stack.slack;
  if (!slack) throw new Error("the stack has no Slack");
  fake = slack.fakeSlack;
  signingSecret = slack.signingSecret;
});
afterAll(async () => {
  await t?.stop();
});

function slackFunction() {
  const fn = t.stack.functions.slack;
  if (!fn) throw new Error("the stack has no Slack function");
  return fn;
}

function send(fields: SlashCommandFields) {
  const body = slashCommandBody({
    channel_id: LOCAL_SLACK.channel,
    user_id: LOCAL_SLACK.admin,
    response_url: fake.responseUrl("commands/e2e"),
    ...fields,
  });
  return slackFunction()(signedSlackEvent(body, { secret: signingSecret })) as Promise<SlackLambdaResponse>;
}

function press(fields: BlockActionFields) {
  const body = blockActionBody({
    channelId: LOCAL_SLACK.channel,
    userId: LOCAL_SLACK.admin,
    responseUrl: fake.responseUrl("actions/e2e"),
    ...fields,
  });
  return slackFunction()(signedSlackEvent(body, { secret: signingSecret })) as Promise<SlackLambdaResponse>;
}

async function sessions(): Promise<SessionRecord[]> {
  return (await t.stack.runtime.operations.list(50)).items;
}

function retryButton(message: FakeSlackMessage | undefined) {
  return (message?.blocks ?? [])
    .flatMap((b) => ((b as { type: string }).type === "actions" ? (b as { elements: unknown[] }).elements : []))
    .find((e) => (e as { action_id: string }).action_id === ActionId.retryFailed) as { value: string } | undefined;
}

describe("Slack on the local stack", () => {
  it("runs from /dq run to a failure summary whose “Retry failed” starts a linked session for an allowed user only", async () => {
    const defective = Object.keys(t.sample.labels).filter((s) => (t.sample.labels[s] ?? []).length > 0);
    const symbols = [...defective.slice(0, 4), ...t.sample.symbols.filter((s) => !defective.includes(s)).slice(0, 4)];

    const ack = await send({ text: `run ${symbols.join(" ")} --lookback 10`, trigger_id: "e2e-run" });
    expect(ack.statusCode).toBe(200);
    const first = await waitUntil(async () => (await sessions()).find((s) => s.startedBy.kind === "slack"), {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: "the session /dq run started",
    });
    const finished = await t.waitForFinal(first.sessionId);
    const summary = await waitUntil(
      async () => fake.channelMessages(LOCAL_SLACK.channel).find((m) => retryButton(m)?.value === first.sessionId),
      { timeoutMs: 10_000, intervalMs: 100, what: "the failure summary with its Retry button" },
    );
    expect(summary.text).toMatch(/of 8 symbols failed/);
    expect(fake.thread(LOCAL_SLACK.channel, summary.ts).length).toBeGreaterThan(0);

    // Someone not allowed presses it: refused, nothing starts.
    const before = (await sessions()).length;
    const refused = await press({
      actionId: ActionId.retryFailed,
      value: first.sessionId,
      userId: "U0MALLORY",
      messageTs: summary.ts,
      triggerId: "e2e-mallory",
    });
    expect(refused.statusCode).toBe(200);
    await waitUntil(
      async () => fake.calls("response_url").find((c) => String(c.args.text).includes("cannot do that")),
      {
        timeoutMs: 10_000,
        intervalMs: 100,
        what: "the refusal",
      },
    );
    expect((await sessions()).length).toBe(before);

    // An allowed user presses it: a new session over the failed symbols, linked to the first.
    const pressed = await press({
      actionId: ActionId.retryFailed,
      value: first.sessionId,
      userId: ALICE,
      messageTs: summary.ts,
      triggerId: "e2e-retry",
    });
    expect(pressed.statusCode).toBe(200);
    const retry = await waitUntil(async () => (await sessions()).find((s) => s.params.retryOf === first.sessionId), {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: "the linked session",
    });
    expect(retry.totalSymbols).toBe(finished.counters.failed + finished.counters.errored);
    expect(retry.startedBy).toEqual({ kind: "slack", user: ALICE, channel: LOCAL_SLACK.channel });
    await t.waitForFinal(retry.sessionId);
  });
});
