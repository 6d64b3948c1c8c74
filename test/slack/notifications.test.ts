import { afterEach, describe, expect, it } from "vitest";
import { describeFailure, progressDetail, workflowDetail } from "../../app/pipeline/finalize.ts";
import type { SessionRecord, StoredResult } from "../../app/pipeline/model.ts";
import type { Issue } from "../../app/quality/types.ts";
import { ActionId } from "../../app/slack/action-ids.ts";
import { createWebClient, type SlackChat, WebApiChat } from "../../app/slack/chat.ts";
import { createNotifier, type NotifierDeps } from "../../app/slack/notifications.ts";
import { parseQuietHours } from "../../app/slack/notify-settings.ts";
import { PacedChat } from "../../app/slack/paced-chat.ts";
import { DetailType, EVENT_SOURCE } from "../../app/wiring.ts";
import { blockProblems } from "../../local/slack/block-kit-limits.ts";
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from "../../local/slack/fake-slack.ts";
import { MemoryLog } from "../helpers/memory-log.ts";
import { sessionInProgress, storedResult } from "../helpers/session-records.ts";
import { MemoryResults, MemorySlackState } from "../helpers/slack-ports.ts";
import { BOT_TOKEN } from "../helpers/slack-requests.ts";

const DEFAULT_CHANNEL = "C0DEFAULT";
const LIVE_CHANNEL = "C0OPS";
const ONCALL = "S0ONCALL";
const NOW = Date.parse("2026-01-16T04:42:30.000Z");

let slack: FakeSlack | undefined;
afterEach(async () => {
  await slack?.stop();
  slack = undefined;
});

async function fakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  slack = await startFakeSlack({ token: BOT_TOKEN, ...options });
  return slack;
}

interface World {
  slack: FakeSlack;
  results: MemoryResults;
  state: MemorySlackState;
  log: MemoryLog;
  notify: (event: unknown) => ReturnType<ReturnType<typeof createNotifier>>;
}

/**
 * The notifier over the fake Slack, an in-memory store and Slack state. Posts are paced as on Lambda; by default
 * the fake Slack's limits are off and the pace is 0, and the tests about the posting rate turn both on.
 */
async function world(
  overrides: Partial<NotifierDeps> = {},
  options: { slack?: FakeSlackOptions; postIntervalMs?: number } = {},
): Promise<World> {
  const fake = await fakeSlack({ rateLimits: false, ...options.slack });
  const results = new MemoryResults();
  const state = new MemorySlackState();
  const log = new MemoryLog();
  const chat = new PacedChat(new WebApiChat(createWebClient(BOT_TOKEN, { slackApiUrl: fake.apiUrl, retries: 0 })), {
    postIntervalMs: options.postIntervalMs ?? 0,
  });
  const notify = createNotifier({
    chat,
    defaultChannel: DEFAULT_CHANNEL,
    log,
    results,
    state,
    clock: () => NOW,
    settleMs: 0,
    ...overrides,
  });
  return { slack: fake, results, state, log, notify };
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

const PRICE: Issue = {
  code: "price_mismatch",
  severity: "error",
  message: "close differs by 3.2%",
  date: "2026-01-14",
  field: "close",
  subject: 187.2,
  reference: 181.4,
  diffPct: 3.197,
};
const MISSING: Issue = {
  code: "missing_bars",
  severity: "error",
  message: "3 sessions missing",
  from: "2026-01-12",
  to: "2026-01-14",
  count: 3,
};
const SPLIT: Issue = {
  code: "adjustment_mismatch",
  severity: "error",
  message: "unapplied 4:1 split",
  from: "2025-12-01",
  to: "2026-01-14",
  factor: 4,
};
const STALE: Issue = { code: "stale", severity: "error", message: "last bar 2026-01-09, reference 2026-01-14" };
const ISSUES = [PRICE, MISSING, SPLIT, STALE];

/**
 * A finished session of `total` symbols `SYM0000…`, `failed` of them failing (each with one of four checks' issues)
 * and the next `errored` not checked; stored with its results, and its final event.
 */
function finishedSession(
  w: World,
  options: {
    sessionId?: string;
    total: number;
    failed: number;
    errored?: number;
    status?: SessionRecord["status"];
    overrides?: Partial<SessionRecord>;
    failing?: (i: number) => boolean;
  },
) {
  const sessionId = options.sessionId ?? "s-0123456789abcdef0123";
  const errored = options.errored ?? 0;
  const results: StoredResult[] = [];
  let failed = 0;
  let erroredCount = 0;
  for (let i = 0; i < options.total; i++) {
    const symbol = `SYM${String(i).padStart(4, "0")}`;
    const fails = options.failing ? options.failing(i) : i < options.failed;
    if (fails) {
      failed++;
      results.push(storedResult(sessionId, symbol, { status: "fail", issues: [ISSUES[i % 4] as Issue] }));
    } else if (!options.failing && i < options.failed + errored) {
      erroredCount++;
      results.push(
        storedResult(sessionId, symbol, {
          status: "error",
          error: { kind: "provider", message: "symbol not found" },
        }),
      );
    } else results.push(storedResult(sessionId, symbol));
  }
  const status = options.status ?? "completed";
  const session = sessionInProgress({
    sessionId,
    correlationId: sessionId,
    status,
    totalSymbols: options.total,
    totalBatches: Math.ceil(options.total / 8),
    finishedAt: new Date(NOW).toISOString(),
    counters: {
      batchesDone: Math.ceil(options.total / 8) - (status === "failed" ? 1 : 0),
      batchesFailed: status === "failed" ? 1 : 0,
      passed: options.total - failed - erroredCount,
      failed,
      errored: erroredCount,
      creditsUsed: options.total,
      creditsWasted: 0,
    },
    ...options.overrides,
  });
  w.results.sessions.set(sessionId, session);
  w.results.results.push(...results);
  const firstFailures = results
    .filter((r) => r.status !== "pass")
    .slice(0, 50)
    .map(describeFailure);
  const type = status === "completed" ? DetailType.workflowCompleted : DetailType.workflowFailed;
  return { session, results, event: event(type, workflowDetail(session, NOW, firstFailures)) };
}

/** Posts the live message a Slack-started run begins with, as the Slack function would. */
async function liveMessage(fake: FakeSlack): Promise<{ channel: string; ts: string }> {
  const chat = new WebApiChat(createWebClient(BOT_TOKEN, { slackApiUrl: fake.apiUrl, retries: 0 }));
  return chat.post(LIVE_CHANNEL, { text: "Starting dq run…", blocks: [] });
}

function allText(message: { text: string; blocks: unknown[] } | undefined): string {
  return `${message?.text}\n${JSON.stringify(message?.blocks)}`;
}

function buttons(message: { blocks: unknown[] } | undefined) {
  return (message?.blocks ?? [])
    .filter((b) => (b as { type: string }).type === "actions")
    .flatMap(
      (b) => (b as { elements: { action_id: string; value?: string; url?: string; confirm?: unknown }[] }).elements,
    );
}

describe("a session with failures notifies people", () => {
  it("posts a new message with the on-call mention and the buttons; the live message only points to it", async () => {
    const w = await world({ settings: { oncall: ONCALL, reportUrl: "https://reports.example.com/dq/{session}" } });
    const live = await liveMessage(w.slack);
    const { event: final } = finishedSession(w, {
      total: 5_000,
      failed: 130,
      errored: 12,
      overrides: { slack: live, startedBy: { kind: "slack", user: "U0ALICE", channel: LIVE_CHANNEL } },
    });

    const outcomes = await w.notify(final);

    const liveNow = w.slack.message(live.channel, live.ts);
    expect(liveNow?.text).toContain("finished: 130 of 5,000 symbols failed, 12 could not be checked");
    const [, summary] = w.slack.channelMessages(LIVE_CHANNEL);
    expect(summary?.text).toMatch(/^<!subteam\^S0ONCALL> :x: dq: 130 of 5,000 symbols failed, 12 could not be checked/);
    expect(allText(summary)).toContain("<!subteam^S0ONCALL> :x: *130 of 5,000 symbols failed");
    expect(JSON.stringify(summary?.blocks[0])).toContain("130 of 5,000 symbols failed");
    expect(buttons(summary)).toEqual([
      expect.objectContaining({
        action_id: ActionId.retryFailed,
        value: "s-0123456789abcdef0123",
        confirm: expect.anything(),
      }),
      expect.objectContaining({
        action_id: ActionId.openReport,
        url: "https://reports.example.com/dq/s-0123456789abcdef0123",
      }),
    ]);
    expect(outcomes).toContainEqual(expect.objectContaining({ kind: "summary", action: "posted", mentioned: true }));
  });

  it("reads a completed session with failures as failures, in the header and in the notification text", async () => {
    const w = await world();
    const { event: final } = finishedSession(w, { total: 200, failed: 5 });

    await w.notify(final);

    const [summary] = w.slack.channelMessages(DEFAULT_CHANNEL);
    expect(summary?.text).toContain(":x: dq: 5 of 200 symbols failed");
    expect(summary?.text).not.toContain("completed");
    expect(JSON.stringify(summary?.blocks[0])).toContain(":x: dq: 5 of 200 symbols failed");
  });

  it("turns a passing Slack-started run's live message into its summary, and notifies nobody", async () => {
    const w = await world({ settings: { oncall: ONCALL } });
    const live = await liveMessage(w.slack);
    const { event: final } = finishedSession(w, { total: 16, failed: 0, overrides: { slack: live } });

    await w.notify(final);

    const message = w.slack.message(live.channel, live.ts);
    expect(message?.updates).toBe(1);
    expect(allText(message)).toContain("all 16 symbols passed");
    expect(allText(message)).not.toContain("subteam");
    expect(w.slack.calls("chat.postMessage")).toHaveLength(1);
  });

  it("posts a scheduled run's summary to the default channel, and nothing when only failures are notified", async () => {
    const all = await world();
    await all.notify(finishedSession(all, { total: 16, failed: 0 }).event);
    expect(allText(all.slack.messages(DEFAULT_CHANNEL)[0])).toContain("Started by the daily schedule");
    await all.slack.stop();

    const failuresOnly = await world({ settings: { notify: "failures" } });
    const outcomes = await failuresOnly.notify(finishedSession(failuresOnly, { total: 16, failed: 0 }).event);
    expect(failuresOnly.slack.calls("chat.postMessage")).toEqual([]);
    expect(outcomes).toEqual([{ kind: "ignored", reason: "the session passed; only failures are notified" }]);
  });

  it("says what failed and gives the exact retry command when batches failed", async () => {
    const w = await world();
    const { event: final } = finishedSession(w, { total: 200, failed: 4, errored: 16, status: "failed" });

    await w.notify(final);

    const text = allText(w.slack.channelMessages(DEFAULT_CHANNEL)[0]);
    expect(text).toContain("did not finish: 4 of 200 symbols failed, 16 could not be checked");
    expect(text).toContain("1 of 25 batches failed after every retry");
    expect(text).toContain("`/dq retry s-0123456789abcdef0123`");
  });

  it("posts the summary and its thread once, however often the event is delivered", async () => {
    const w = await world({ settings: { oncall: ONCALL } });
    const { event: final } = finishedSession(w, { total: 40, failed: 6 });

    await w.notify(final);
    const again = await w.notify(final);

    expect(again).toEqual([{ kind: "ignored", reason: "summary of s-0123456789abcdef0123 already posted" }]);
    expect(w.slack.channelMessages(DEFAULT_CHANNEL)).toHaveLength(1);
    expect(w.slack.messages(DEFAULT_CHANNEL).filter((m) => m.threadTs)).toHaveLength(1);
  });

  it("goes on from where a failed delivery stopped: no second summary, no second mention", async () => {
    const fake = await fakeSlack({ rateLimits: false });
    const inner = new WebApiChat(createWebClient(BOT_TOKEN, { slackApiUrl: fake.apiUrl, retries: 0 }));
    let failThread = true;
    const chat: SlackChat = {
      update: (channel, ts, message) => inner.update(channel, ts, message),
      post: async (channel, message, options) => {
        if (options?.threadTs && failThread) {
          failThread = false;
          throw new Error("the network went away");
        }
        return inner.post(channel, message, options);
      },
    };
    const w = { slack: fake, results: new MemoryResults(), state: new MemorySlackState(), log: new MemoryLog() };
    const notify = createNotifier({
      ...w,
      chat,
      defaultChannel: DEFAULT_CHANNEL,
      clock: () => NOW,
      settleMs: 0,
      settings: { oncall: ONCALL },
    });
    const { event: final } = finishedSession({ ...w, notify }, { total: 40, failed: 6 });

    await expect(notify(final)).rejects.toThrow(/network went away/);
    await notify(final);

    const summaries = fake.channelMessages(DEFAULT_CHANNEL);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.text).toContain(ONCALL);
    expect(fake.thread(DEFAULT_CHANNEL, summaries[0]?.ts as string)).toHaveLength(1);
  });
});

describe("the thread: every failing symbol, grouped by check, within Slack's limits", () => {
  it("lists all 300 failures of a universe of 2,000 by check, paged from the store, at Slack's posting rate", async () => {
    // Slack's own limits on: a burst of 3 posts per channel, then one a second.
    const w = await world({}, { slack: { rateLimits: {} }, postIntervalMs: 1_100 });
    const { results, event: final } = finishedSession(w, {
      total: 2_000,
      failed: 300,
      failing: (i) => i % 5 === 2 && i < 1_500,
    });

    await w.notify(final);

    const [summary] = w.slack.channelMessages(DEFAULT_CHANNEL);
    const thread = w.slack.thread(DEFAULT_CHANNEL, summary?.ts as string);
    expect(thread.length).toBeGreaterThan(1);
    expect(w.results.pages).toBeGreaterThanOrEqual(2); // 2,000 results in pages of 1,000
    for (const message of [summary, ...thread]) {
      expect(message?.blocks.length).toBeLessThanOrEqual(50);
      expect(blockProblems(message?.blocks)).toEqual([]);
    }
    expect(w.slack.calls().every((c) => c.outcome === "ok")).toBe(true);
    const text = thread.map((m) => JSON.stringify(m.blocks)).join("\n");
    const failing = results.filter((r) => r.status === "fail");
    expect(failing).toHaveLength(300);
    for (const r of failing) expect(text).toContain(`*${r.symbol}*`);
    // Grouped by check, each group titled with its count, with the figures of each finding.
    for (const code of ["price_mismatch", "missing_bars", "adjustment_mismatch", "stale"])
      expect(text).toContain(`*${code}* · 75 symbols`);
    expect(text).toContain("close 187.2 vs 181.4 (+3.197 %)");
    expect(text).toContain("3 sessions missing");
    expect(text).toContain("ratio ×4");
    expect(text).toContain("last bar 2026-01-09, reference 2026-01-14");
    expect(thread.every((m) => !m.broadcast)).toBe(true);
  });

  it("waits out a 429 as its Retry-After says, and loses no message", async () => {
    const w = await world(
      {},
      { slack: { rateLimits: { postMessage: { burst: 1, perSecond: 0.5 } } }, postIntervalMs: 1_100 },
    );
    const { event: final } = finishedSession(w, { total: 400, failed: 120 });

    await w.notify(final);

    const outcomes = w.slack.calls("chat.postMessage").map((c) => c.outcome);
    expect(outcomes).toContain("ratelimited");
    const [summary] = w.slack.channelMessages(DEFAULT_CHANNEL);
    const thread = w.slack.thread(DEFAULT_CHANNEL, summary?.ts as string);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1 + thread.length);
    expect(JSON.stringify(thread.map((m) => m.blocks))).toContain("*SYM0119*");
  });
});

describe("what changed since the previous session of the same universe", () => {
  it("says which failures are new, which persist and which recovered", async () => {
    const w = await world();
    // Yesterday: SYM0000-SYM0003 failed.
    const yesterday = finishedSession(w, { sessionId: "s-yesterday", total: 10, failed: 4 });
    await w.notify(yesterday.event);
    // Today: SYM0002-SYM0005 fail: 0 and 1 recovered, 2 and 3 persist, 4 and 5 are new.
    const today = finishedSession(w, {
      sessionId: "s-today",
      total: 10,
      failed: 0,
      failing: (i) => i >= 2 && i <= 5,
    });

    await w.notify(today.event);

    const summary = w.slack.channelMessages(DEFAULT_CHANNEL).at(-1);
    const text = allText(summary);
    expect(text).toContain("*Since* `s-yesterday`");
    expect(text).toContain(":new: 2 new: SYM0004, SYM0005");
    expect(text).toContain(":repeat: 2 still failing: SYM0002, SYM0003");
    expect(text).toContain(":sparkles: 2 recovered: SYM0000, SYM0001");
  });

  it("compares a retry with the session it retries", async () => {
    const w = await world();
    const first = finishedSession(w, { sessionId: "s-first", total: 10, failed: 3 });
    await w.notify(first.event);
    const retry = finishedSession(w, {
      sessionId: "s-retry",
      total: 3,
      failed: 0,
      failing: (i) => i === 2,
      overrides: { params: { ...first.session.params, retryOf: "s-first" } },
    });

    await w.notify(retry.event);

    const text = allText(w.slack.channelMessages(DEFAULT_CHANNEL).at(-1));
    expect(text).toContain("*Since* `s-first`");
    expect(text).toContain(":sparkles: 2 recovered: SYM0000, SYM0001");
    expect(text).toContain(":repeat: 1 still failing: SYM0002");
  });
});

describe("noise control", () => {
  it("leaves muted symbols out of the headline, the list and the mention, never out of the results", async () => {
    const w = await world({ settings: { oncall: ONCALL } });
    await w.state.mute({
      symbol: "SYM0001",
      until: new Date(NOW + 7 * 86_400_000).toISOString(),
      by: "U0ALICE",
      at: "x",
    });
    const { event: final } = finishedSession(w, { total: 100, failed: 3 });

    await w.notify(final);

    const [summary] = w.slack.channelMessages(DEFAULT_CHANNEL);
    expect(summary?.text).toContain("2 of 100 symbols failed");
    const thread = JSON.stringify(w.slack.thread(DEFAULT_CHANNEL, summary?.ts as string).map((m) => m.blocks));
    expect(thread).not.toContain("SYM0001");
    expect(thread).toContain("SYM0002");
    expect(allText(summary)).toContain(":mute: Muted: SYM0001");
    expect(w.results.results.find((r) => r.symbol === "SYM0001")?.status).toBe("fail");
  });

  it("mentions nobody when every failure is muted", async () => {
    const w = await world({ settings: { oncall: ONCALL } });
    const until = new Date(NOW + 86_400_000).toISOString();
    for (const symbol of ["SYM0000", "SYM0001"]) await w.state.mute({ symbol, until, by: "U0ALICE", at: "x" });
    const { event: final } = finishedSession(w, { total: 100, failed: 2 });

    await w.notify(final);

    const [summary] = w.slack.channelMessages(DEFAULT_CHANNEL);
    expect(summary?.text).toContain("all 100 symbols passed");
    expect(allText(summary)).not.toContain("subteam");
  });

  it("posts during quiet hours without the mention, and says so", async () => {
    const w = await world({
      settings: { oncall: ONCALL, quietHours: parseQuietHours("22:00-07:00 America/New_York") },
    });
    const { event: final } = finishedSession(w, { total: 100, failed: 3 });

    const outcomes = await w.notify(final);

    const [summary] = w.slack.channelMessages(DEFAULT_CHANNEL);
    expect(summary?.text).toContain("3 of 100 symbols failed");
    expect(allText(summary)).not.toContain("subteam");
    expect(allText(summary)).toContain("Quiet hours: nobody was mentioned (until 07:00 America/New_York)");
    expect(outcomes).toContainEqual(expect.objectContaining({ kind: "summary", mentioned: false }));
  });

  it("mentions the on-call outside quiet hours", async () => {
    const w = await world({ settings: { oncall: ONCALL, quietHours: parseQuietHours("12:00-13:00 UTC") } });

    await w.notify(finishedSession(w, { total: 100, failed: 3 }).event);

    expect(w.slack.channelMessages(DEFAULT_CHANNEL)[0]?.text).toContain("<!subteam^S0ONCALL>");
  });

  it("never mentions anyone for a cancelled session", async () => {
    const w = await world({ settings: { oncall: ONCALL } });

    await w.notify(finishedSession(w, { total: 100, failed: 3, status: "cancelled" }).event);

    expect(allText(w.slack.channelMessages(DEFAULT_CHANNEL)[0])).not.toContain("subteam");
  });
});

describe("the live message", () => {
  it("updates a running session's live message with the progress bar and the Cancel button", async () => {
    const w = await world();
    const live = await liveMessage(w.slack);
    w.results.sessions.set("s-0123456789abcdef0123", sessionInProgress({ slack: live }));

    await w.notify(event(DetailType.sessionProgress, progressDetail(sessionInProgress({ slack: live }), NOW)));

    const message = w.slack.message(live.channel, live.ts);
    expect(allText(message)).toContain("▓▓▓▓▓░░░░░ 52%");
    expect(allText(message)).toContain("13/25 batches");
    expect(buttons(message)).toEqual([expect.objectContaining({ action_id: ActionId.cancel, style: "danger" })]);
  });

  it("never lets a late progress update overwrite a final summary", async () => {
    const w = await world();
    const live = await liveMessage(w.slack);
    const { event: final, session } = finishedSession(w, { total: 16, failed: 0, overrides: { slack: live } });
    await w.notify(final);

    const late = await w.notify(
      event(DetailType.sessionProgress, progressDetail({ ...session, status: "running" }, NOW)),
    );

    expect(late).toEqual([{ kind: "ignored", reason: "the session is final" }]);
    expect(allText(w.slack.message(live.channel, live.ts))).toContain("all 16 symbols passed");
  });

  it("writes the final message again after a progress update that slipped in while it was written", async () => {
    const w = await world();
    const live = await liveMessage(w.slack);
    const { event: final, session } = finishedSession(w, { total: 16, failed: 0, overrides: { slack: live } });
    const chat = new WebApiChat(createWebClient(BOT_TOKEN, { slackApiUrl: w.slack.apiUrl, retries: 0 }));
    const notify = createNotifier({
      chat,
      defaultChannel: DEFAULT_CHANNEL,
      log: w.log,
      results: w.results,
      state: w.state,
      clock: () => NOW,
      settleMs: 1,
      // While the summary settles, an update that passed its check just before the session became final lands.
      sleep: async () => {
        await chat.update(live.channel, live.ts, { text: "progress", blocks: [] });
      },
    });
    void session;

    await notify(final);

    expect(allText(w.slack.message(live.channel, live.ts))).toContain("all 16 symbols passed");
  });

  it("posts nothing for the progress of a run without a live message", async () => {
    const w = await world();

    const outcomes = await w.notify(event(DetailType.sessionProgress, progressDetail(sessionInProgress(), NOW)));

    expect(outcomes).toEqual([{ kind: "ignored", reason: "no live message" }]);
    expect(w.slack.calls()).toEqual([]);
  });
});

describe("alarms and malformed events", () => {
  it("posts a CloudWatch alarm delivered by SNS to the default channel", async () => {
    const w = await world();
    const alarm = {
      AlarmName: "dq-prod-dead-letters",
      AlarmDescription: "Batches reached the dead-letter queue",
      NewStateValue: "ALARM",
      NewStateReason: "Threshold Crossed: 1 datapoint [2.0] was greater than or equal to the threshold (1.0).",
      StateChangeTime: "2026-01-16T04:40:00.000+0000",
      Region: "US East (N. Virginia)",
    };

    await w.notify({ Records: [{ EventSource: "aws:sns", Sns: { Message: JSON.stringify(alarm) } }] });

    const text = allText(w.slack.messages(DEFAULT_CHANNEL)[0]);
    expect(text).toContain("ALARM: dq-prod-dead-letters");
    expect(text).toContain("dead-letter queue");
  });

  it("escapes a notice so that it cannot ping the channel", async () => {
    const w = await world();

    await w.notify({ Records: [{ EventSource: "aws:sns", Sns: { Message: "<!channel> wake up & look" } }] });

    const [posted] = w.slack.messages(DEFAULT_CHANNEL);
    expect(allText(posted)).not.toContain("<!channel>");
    expect(posted?.text).toBe("dq notification: &lt;!channel&gt; wake up &amp; look");
  });

  it("drops a malformed event without calling Slack", async () => {
    const w = await world();

    const outcomes = await w.notify(event(DetailType.workflowCompleted, { sessionId: 42 }));

    expect(outcomes[0]?.kind).toBe("ignored");
    expect(w.slack.calls()).toEqual([]);
  });
});
