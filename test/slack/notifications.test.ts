import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { progressDetail, workflowDetail } from "../../app/pipeline/finalize.ts";
import type { SessionRecord } from "../../app/pipeline/model.ts";
import { createWebClient, WebApiChat } from "../../app/slack/chat.ts";
import { createNotifier, type NotifierDeps } from "../../app/slack/notifications.ts";
import { DetailType, EVENT_SOURCE } from "../../app/wiring.ts";
import { type FakeSlack, startFakeSlack } from "../../local/slack/fake-slack.ts";
import { MemoryLog } from "../helpers/memory-log.ts";
import { sessionInProgress } from "../helpers/session-records.ts";
import { BOT_TOKEN } from "../helpers/slack-requests.ts";

const DEFAULT_CHANNEL = "C0DEFAULT";
const LIVE_CHANNEL = "C0OPS";
const NOW = Date.parse("2026-01-16T04:42:30.000Z");

let slack: FakeSlack;
beforeEach(async () => {
  slack = await startFakeSlack({ token: BOT_TOKEN });
});
afterEach(async () => {
  await slack.stop();
});

function notifier(overrides: Partial<NotifierDeps> = {}) {
  return createNotifier({
    chat: new WebApiChat(createWebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retries: 0 })),
    defaultChannel: DEFAULT_CHANNEL,
    log: new MemoryLog(),
    clock: () => NOW,
    settleMs: 0,
    ...overrides,
  });
}

function event(detailType: string, detail: Record<string, unknown>) {
  return {
    version: "0",
    id: "e-1",
    source: EVENT_SOURCE,
    "detail-type": detailType,
    account: "1",
    time: new Date(NOW).toISOString(),
    region: "us-east-1",
    resources: [],
    detail,
  };
}

function finished(
  overrides: Partial<SessionRecord>,
  failed = [{ symbol: "BRK.B", status: "fail" as const, issue: "price_mismatch: close differs by 3.2%" }],
) {
  const session = sessionInProgress({
    counters: {
      batchesDone: 25,
      batchesFailed: 0,
      passed: 194,
      failed: 5,
      errored: 1,
      creditsUsed: 200,
      creditsWasted: 0,
    },
    ...overrides,
  });
  const type = session.status === "completed" ? DetailType.workflowCompleted : DetailType.workflowFailed;
  return event(type, workflowDetail(session, NOW, failed));
}

/** Posts the live message a Slack-started run begins with, as the Slack function would. */
async function liveMessage(): Promise<{ channel: string; ts: string }> {
  const chat = new WebApiChat(createWebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retries: 0 }));
  return chat.post(LIVE_CHANNEL, { text: "Starting dq run…", blocks: [] });
}

function allText(message: { text: string; blocks: unknown[] } | undefined): string {
  return `${message?.text}\n${JSON.stringify(message?.blocks)}`;
}

describe("notifier: WorkflowCompleted and WorkflowFailed", () => {
  it("turns a Slack-started run's live message into the summary", async () => {
    const live = await liveMessage();

    await notifier()(finished({ status: "completed", slack: live, startedBy: { kind: "slack", user: "U0ALICE" } }));

    const message = slack.message(live.channel, live.ts);
    expect(message?.updates).toBe(1);
    expect(allText(message)).toContain("passed 194, failed 5, errored 1");
    expect(allText(message)).toContain("*Duration*\\n12m 30s");
    expect(slack.calls("chat.postMessage")).toHaveLength(1);
  });

  it("posts a scheduled run's summary to the default channel", async () => {
    await notifier()(finished({ status: "completed" }));

    const [posted] = slack.messages(DEFAULT_CHANNEL);
    expect(allText(posted)).toContain("completed");
    expect(allText(posted)).toContain("*Credits used*\\n200");
    expect(allText(posted)).toContain("Started by the daily schedule");
  });

  it("says what failed and gives the exact retry command for WorkflowFailed", async () => {
    await notifier()(
      finished({
        status: "failed",
        counters: {
          batchesDone: 23,
          batchesFailed: 2,
          passed: 180,
          failed: 4,
          errored: 16,
          creditsUsed: 184,
          creditsWasted: 0,
        },
      }),
    );

    const text = allText(slack.messages(DEFAULT_CHANNEL)[0]);
    expect(text).toContain("2 of 25 batches failed after every retry");
    expect(text).toContain("`/dq retry s-0123456789abcdef0123`");
  });

  it("cuts a long list of failed symbols with a count of the rest", async () => {
    const failed = Array.from({ length: 50 }, (_, i) => ({
      symbol: `SYM${i}`,
      status: "fail" as const,
      issue: "missing_bars: 2 sessions missing",
    }));

    await notifier()(
      finished(
        {
          status: "completed",
          counters: {
            batchesDone: 25,
            batchesFailed: 0,
            passed: 127,
            failed: 73,
            errored: 0,
            creditsUsed: 200,
            creditsWasted: 0,
          },
        },
        failed,
      ),
    );

    const text = allText(slack.messages(DEFAULT_CHANNEL)[0]);
    expect(text).toContain("SYM9");
    expect(text).not.toContain("SYM10");
    expect(text).toContain("+63 more");
  });

  it("posts the summary to the default channel when the live message is gone", async () => {
    await notifier()(finished({ status: "completed", slack: { channel: LIVE_CHANNEL, ts: "1700000000.000001" } }));

    expect(slack.messages(DEFAULT_CHANNEL)).toHaveLength(1);
  });

  it("writes the summary again after a late progress update overwrote it", async () => {
    const live = await liveMessage();
    const late = event(DetailType.sessionProgress, progressDetail(sessionInProgress({ slack: live }), NOW));
    const notify = notifier({
      settleMs: 1,
      // While the summary settles, the last SessionProgress arrives out of order.
      sleep: async () => {
        await notifier()(late);
      },
    });

    await notify(finished({ status: "completed", slack: live }));

    expect(allText(slack.message(live.channel, live.ts))).toContain("dq run completed");
  });
});

describe("notifier: SessionProgress and alarms", () => {
  it("updates the live message with the progress bar", async () => {
    const live = await liveMessage();

    await notifier()(event(DetailType.sessionProgress, progressDetail(sessionInProgress({ slack: live }), NOW)));

    const text = allText(slack.message(live.channel, live.ts));
    expect(text).toContain("▓▓▓▓▓░░░░░ 52%");
    expect(text).toContain("13/25 batches");
  });

  it("posts nothing for the progress of a run without a live message", async () => {
    const outcomes = await notifier()(event(DetailType.sessionProgress, progressDetail(sessionInProgress(), NOW)));

    expect(outcomes).toEqual([{ kind: "ignored", reason: "no live message" }]);
    expect(slack.calls()).toEqual([]);
  });

  it("posts a CloudWatch alarm delivered by SNS to the default channel", async () => {
    const alarm = {
      AlarmName: "dq-prod-dead-letters",
      AlarmDescription: "Batches reached the dead-letter queue",
      NewStateValue: "ALARM",
      NewStateReason: "Threshold Crossed: 1 datapoint [2.0] was greater than or equal to the threshold (1.0).",
      StateChangeTime: "2026-01-16T04:40:00.000+0000",
      Region: "US East (N. Virginia)",
    };

    await notifier()({ Records: [{ EventSource: "aws:sns", Sns: { Message: JSON.stringify(alarm) } }] });

    const text = allText(slack.messages(DEFAULT_CHANNEL)[0]);
    expect(text).toContain("ALARM: dq-prod-dead-letters");
    expect(text).toContain("dead-letter queue");
  });

  it("drops a malformed event without calling Slack", async () => {
    const outcomes = await notifier()(event(DetailType.workflowCompleted, { sessionId: 42 }));

    expect(outcomes[0]?.kind).toBe("ignored");
    expect(slack.calls()).toEqual([]);
  });
});
