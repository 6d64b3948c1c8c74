import { afterEach, describe, expect, it } from "vitest";
import { createWebClient } from "../../../app/slack/chat.ts";
import { type FakeSlack, startFakeSlack } from "../../../local/slack/fake-slack.ts";

let slack: FakeSlack | undefined;
afterEach(async () => {
  await slack?.stop();
  slack = undefined;
});

describe("FakeSlack", () => {
  it("answers auth.test for the configured token and refuses another", async () => {
    slack = await startFakeSlack({ token: "xoxb-good" });

    const ok = await createWebClient("xoxb-good", { slackApiUrl: slack.apiUrl, retries: 0 }).auth.test();
    const refused = createWebClient("xoxb-bad", { slackApiUrl: slack.apiUrl, retries: 0 }).auth.test();

    expect(ok).toMatchObject({ ok: true, user_id: "UDQBOT" });
    await expect(refused).rejects.toThrow(/invalid_auth/);
  });

  it("keeps each message's current state after updates, with increasing ts", async () => {
    slack = await startFakeSlack();
    const client = createWebClient("xoxb-any", { slackApiUrl: slack.apiUrl, retries: 0 });

    const first = await client.chat.postMessage({ channel: "C1", text: "one", blocks: [{ type: "divider" }] });
    const second = await client.chat.postMessage({ channel: "C1", text: "two" });
    await client.chat.update({ channel: "C1", ts: first.ts as string, text: "one, updated" });

    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(slack.messages("C1")).toEqual([
      { channel: "C1", ts: first.ts, text: "one, updated", blocks: [], updates: 1 },
      { channel: "C1", ts: second.ts, text: "two", blocks: [], updates: 0 },
    ]);
  });

  it("reads JSON bodies and records ephemeral posts with their Bearer token", async () => {
    slack = await startFakeSlack();

    const response = await fetch(`${slack.apiUrl}chat.postEphemeral`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: "Bearer xoxb-json" },
      body: JSON.stringify({ channel: "C1", user: "U1", text: "only you", blocks: [{ type: "divider" }] }),
    });

    expect(await response.json()).toMatchObject({ ok: true });
    expect(slack.calls("chat.postEphemeral")).toEqual([
      expect.objectContaining({
        token: "xoxb-json",
        args: { channel: "C1", user: "U1", text: "only you", blocks: [{ type: "divider" }] },
      }),
    ]);
  });

  it("answers message_not_found to an update of a message it never posted", async () => {
    slack = await startFakeSlack();
    const client = createWebClient("xoxb-any", { slackApiUrl: slack.apiUrl, retries: 0 });

    await expect(client.chat.update({ channel: "C1", ts: "1.000001", text: "x" })).rejects.toThrow(/message_not_found/);
  });
});

describe("FakeSlack behaves like Slack where dq can trip", () => {
  const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

  it("refuses more than 50 blocks, a section over 3,000 characters and a button label over 75", async () => {
    slack = await startFakeSlack({ rateLimits: false });
    const client = createWebClient("xoxb-any", { slackApiUrl: slack.apiUrl, retries: 0 });
    const button = { type: "button", action_id: "a", text: { type: "plain_text", text: "x".repeat(76) } };

    const tooMany = client.chat.postMessage({ channel: "C1", text: "t", blocks: Array(51).fill({ type: "divider" }) });
    const tooLong = client.chat.postMessage({ channel: "C1", text: "t", blocks: [section("x".repeat(3_001))] });
    const label = client.chat.postMessage({
      channel: "C1",
      text: "t",
      blocks: [{ type: "actions", elements: [button] }] as never,
    });

    await expect(tooMany).rejects.toThrow(/invalid_blocks/);
    await expect(tooLong).rejects.toThrow(/invalid_blocks/);
    await expect(label).rejects.toThrow(/invalid_blocks/);
    expect(slack.messages()).toEqual([]);
  });

  it("takes 50 blocks and a 3,000-character section, but not blocks of more than 12,000 characters together", async () => {
    slack = await startFakeSlack({ rateLimits: false });
    const client = createWebClient("xoxb-any", { slackApiUrl: slack.apiUrl, retries: 0 });

    await client.chat.postMessage({ channel: "C1", text: "t", blocks: Array(50).fill({ type: "divider" }) });
    await client.chat.postMessage({ channel: "C1", text: "t", blocks: [section("x".repeat(3_000))] });
    const together = client.chat.postMessage({
      channel: "C1",
      text: "t",
      blocks: Array.from({ length: 5 }, () => section("x".repeat(2_500))),
    });

    await expect(together).rejects.toThrow(/msg_blocks_too_long/);
    expect(slack.messages("C1")).toHaveLength(2);
  });

  it("refuses an oversized message posted to a response_url with 400", async () => {
    slack = await startFakeSlack();

    const response = await fetch(slack.responseUrl(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "t", blocks: [section("x".repeat(3_001))] }),
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toBe("invalid_blocks");
  });

  it("answers a burst of posts to one channel with 429 and Retry-After, and takes them again after the wait", async () => {
    slack = await startFakeSlack({ rateLimits: { postMessage: { burst: 2, perSecond: 1 } } });
    const post = (channel: string) =>
      fetch(`${slack?.apiUrl}chat.postMessage`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer xoxb-any" },
        body: JSON.stringify({ channel, text: "hi" }),
      });

    const answers = [await post("C1"), await post("C1"), await post("C1"), await post("C2")];

    expect(answers.map((a) => a.status)).toEqual([200, 200, 429, 200]);
    expect(answers[2]?.headers.get("retry-after")).toBe("1");
    expect(await answers[2]?.json()).toEqual({ ok: false, error: "ratelimited" });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await post("C1")).status).toBe(200);
    expect(slack.calls("chat.postMessage").map((c) => c.outcome)).toEqual(["ok", "ok", "ratelimited", "ok", "ok"]);
  });

  it("answers a burst of updates with 429", async () => {
    slack = await startFakeSlack({ rateLimits: { update: { burst: 1, perSecond: 0.5 } } });
    const client = createWebClient("xoxb-any", { slackApiUrl: slack.apiUrl, retries: 0, rejectRateLimited: true });
    const { ts } = await client.chat.postMessage({ channel: "C1", text: "one" });

    await client.chat.update({ channel: "C1", ts: ts as string, text: "two" });
    const second = client.chat.update({ channel: "C1", ts: ts as string, text: "three" });

    await expect(second).rejects.toMatchObject({ retryAfter: 2 });
    expect(slack.message("C1", ts as string)?.text).toBe("two");
  });

  it("keeps thread replies apart from the channel, except broadcast ones", async () => {
    slack = await startFakeSlack({ rateLimits: false });
    const client = createWebClient("xoxb-any", { slackApiUrl: slack.apiUrl, retries: 0 });
    const root = await client.chat.postMessage({ channel: "C1", text: "root" });

    await client.chat.postMessage({ channel: "C1", text: "detail", thread_ts: root.ts as string });
    await client.chat.postMessage({ channel: "C1", text: "loud", thread_ts: root.ts as string, reply_broadcast: true });
    const orphan = client.chat.postMessage({ channel: "C1", text: "x", thread_ts: "1.000001" });

    await expect(orphan).rejects.toThrow(/thread_not_found/);
    expect(slack.thread("C1", root.ts as string).map((m) => m.text)).toEqual(["detail", "loud"]);
    expect(slack.channelMessages("C1").map((m) => m.text)).toEqual(["root", "loud"]);
  });

  it("is slowed down and made to fail on demand", async () => {
    slack = await startFakeSlack({ token: "xoxb-good", latencyMs: 300 });
    const client = createWebClient("xoxb-good", { slackApiUrl: slack.apiUrl, retries: 0 });
    slack.failNext("auth.test", { error: "internal_error" });

    const started = Date.now();
    await expect(client.auth.test()).rejects.toThrow(/internal_error/);
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true });

    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
  });
});
