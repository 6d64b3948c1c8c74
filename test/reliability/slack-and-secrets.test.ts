import { expect } from "vitest";
import type { SlackLambdaResponse } from "../../app/handlers/slack.ts";
import type { SessionRecord } from "../../app/pipeline/model.ts";
import { LOCAL_SLACK } from "../../local/slack/local-slack.ts";
import {
  type SignedEventOptions,
  type SlashCommandFields,
  signedSlackEvent,
  slashCommandBody,
} from "../helpers/slack-requests.ts";
import { waitUntil } from "../helpers/wait-until.ts";
import { API_KEY, type Reliability } from "./harness.ts";
import { scanTable } from "./invariants.ts";
import { type Scenario, scenarioSuite } from "./scenario.ts";

/**
 * Slack requests that must do nothing (forged, replayed, oversized, from the wrong user or channel), and a full
 * session started from Slack whose every output is scanned for the API key and the Slack secrets.
 */
function slack(r: Reliability) {
  const local = r.stack.slack;
  const fn = r.stack.functions.slack;
  if (!local || !fn) throw new Error("the stack has no Slack");
  return {
    local,
    send: (fields: SlashCommandFields, options: SignedEventOptions = {}) =>
      fn(
        signedSlackEvent(
          slashCommandBody({
            channel_id: LOCAL_SLACK.channel,
            user_id: LOCAL_SLACK.admin,
            response_url: local.fakeSlack.responseUrl(),
            ...fields,
          }),
          { secret: local.signingSecret, ...options },
        ),
      ) as Promise<SlackLambdaResponse>,
  };
}

function ackText(response: SlackLambdaResponse): string {
  return response.body === "" ? "" : String((JSON.parse(response.body) as { text?: string }).text ?? "");
}

async function sessionCount(r: Reliability): Promise<number> {
  return (await r.stack.runtime.operations.list(100)).items.length;
}

function newSession(r: Reliability, known: number): Promise<SessionRecord> {
  return waitUntil(
    async () => {
      const page = await r.stack.runtime.operations.list(100);
      return page.items.length > known ? page.items[0] : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: "a session started from Slack" },
  );
}

const scenarios: Scenario[] = [
  {
    name: "Slack requests forged, replayed, oversized, or from a channel or user not allowed start nothing",
    async run(r) {
      const { send, local } = slack(r);
      const sessions = await sessionCount(r);
      const posted = local.fakeSlack.calls("chat.postMessage").length;
      const symbols = r.sample.symbols.slice(0, 2).join(" ");

      const forged = await send({ text: `run ${symbols}` }, { signature: `v0=${"0".repeat(64)}` });
      expect(forged.statusCode).toBe(401);
      const otherSecret = await send({ text: `run ${symbols}` }, { secret: "not-the-signing-secret" });
      expect(otherSecret.statusCode).toBe(401);
      const replayed = await send({ text: `run ${symbols}` }, { timestamp: Math.floor(Date.now() / 1000) - 600 });
      expect(replayed.statusCode).toBe(401);
      const oversized = await send({ text: `run ${Array.from({ length: 5_000 }, (_, i) => `S${i}`).join(" ")}` });
      expect(ackText(oversized)).toMatch(/more than the 200 a Slack command may name/);
      const huge = await send({ text: `run ${"A".repeat(200_000)}` });
      expect(huge.statusCode).toBe(200);
      expect(ackText(huge)).toMatch(/is not a symbol/);
      expect(ackText(huge).length).toBeLessThan(1_000);
      const channel = await send({ text: `run ${symbols}`, channel_id: "C0ELSEWHERE" });
      expect(ackText(channel)).toContain("not enabled in this channel");
      const notAdmin = await send({ text: "cancel s-0123456789abcdef0123", user_id: "U0MALLORY" });
      expect(ackText(notAdmin)).toContain("reserved for dq admins");
      r.faults.add("forged or replayed slack request", 3);
      r.faults.add("oversized slack command", 2);
      r.faults.add("unauthorized slack caller", 2);

      await r.stack.lambda.idle();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await sessionCount(r)).toBe(sessions);
      expect(local.fakeSlack.calls("chat.postMessage").length).toBe(posted);
      expect(r.logs.filter((l) => /bad or stale signature/.test(l.message)).length).toBeGreaterThanOrEqual(3);
      return { sessionIds: [] };
    },
  },
  {
    name: "a full session from Slack: the API key and the Slack secrets are in no log, item, event or message",
    async run(r) {
      const { send, local } = slack(r);
      const captured: string[] = [];
      const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
      const capture =
        (original: typeof process.stdout.write) =>
        (chunk: unknown, ...rest: unknown[]): boolean => {
          captured.push(String(chunk));
          return (original as (chunk: unknown, ...rest: unknown[]) => boolean)(chunk, ...rest);
        };
      process.stdout.write = capture(writes.out) as typeof process.stdout.write;
      process.stderr.write = capture(writes.err) as typeof process.stderr.write;
      let session: SessionRecord;
      try {
        const known = await sessionCount(r);
        const response = await send({ text: `run ${r.sample.symbols.slice(0, 16).join(" ")}` });
        expect(response.statusCode).toBe(200);
        const started = await newSession(r, known);
        session = await r.waitForFinal(started.sessionId);
        await r.stack.eventBridge.idle();
      } finally {
        process.stdout.write = writes.out;
        process.stderr.write = writes.err;
      }
      expect(session.status).toBe("completed");
      // The summary says the data's outcome (its details, if any, are in its thread).
      const summary = local.fakeSlack.channelMessages(LOCAL_SLACK.channel).at(-1);
      expect(summary?.text ?? "").toMatch(/of 16 symbols failed|all 16 symbols passed/);

      // The secrets did travel where they belong, so the scans below would have found a leak.
      expect(r.proxy.requests().some((q) => q.headers.authorization === `apikey ${API_KEY}`)).toBe(true);
      expect(local.fakeSlack.calls().some((c) => c.token === LOCAL_SLACK.botToken)).toBe(true);

      const outputs: Record<string, string> = {
        logs: JSON.stringify(r.logs),
        "stdout and stderr": captured.join(""),
        "table items": JSON.stringify(await scanTable(r)),
        events: JSON.stringify(r.stack.eventBridge.events()),
        "event deliveries": JSON.stringify(r.stack.eventBridge.deliveries()),
        // A Web API call carries the bot token to Slack as its credential (auth.test sends it as a form field):
        // that is where it belongs; everything else the calls carry is scanned.
        "slack messages": JSON.stringify(
          local.fakeSlack.calls().map(({ method, args: { token: _, ...args } }) => ({ method, args })),
        ),
        "provider URLs": JSON.stringify(r.proxy.requests().map((q) => q.rawUrl)),
      };
      const secrets = { "API key": API_KEY, "bot token": LOCAL_SLACK.botToken, "signing secret": local.signingSecret };
      for (const [where, text] of Object.entries(outputs))
        for (const [what, secret] of Object.entries(secrets))
          expect(text.includes(secret), `${what} in ${where}`).toBe(false);
      return { sessionIds: [session.sessionId] };
    },
  },
];

scenarioSuite("Slack input and secrets", "slack-and-secrets", scenarios, { slack: true });
