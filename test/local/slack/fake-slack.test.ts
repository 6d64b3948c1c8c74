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
