import { randomBytes } from "node:crypto";
import { functionUrlEvent } from "../local/slack/function-url-event.ts";
import { LOCAL_SLACK } from "../local/slack/local-slack.ts";
import { signSlackRequest } from "../local/slack/slash-command.ts";
import { startLocalStack } from "../local/stack.ts";
import { quantile, round } from "./stats.ts";

export interface AckLatency {
  command: string;
  requests: number;
  /** The very first request (Bolt's app and the runtime built on first use), ms. */
  firstMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The Slack function's acknowledgement latency: signed `/dq <text>` requests, as a Lambda function URL delivers
 * them, to the real handler (Bolt, signature check, authorization, the command) in this process, with the
 * pipeline's operations on the local stack's DynamoDB behind it. Timed from the call to the HTTP answer.
 */
export async function measureSlackAck(commands: readonly string[], requests: number): Promise<AckLatency[]> {
  const stack = await startLocalStack({ stack: "bench-slack", creditsPerDay: null, slack: {} });
  try {
    const slack = stack.slack;
    const handler = stack.functions.slack;
    if (!slack || !handler) throw new Error("the local stack has no Slack function");
    const send = async (text: string) => {
      const body = new URLSearchParams({
        token: "local",
        team_id: "TDQLOCAL",
        channel_id: LOCAL_SLACK.channel,
        user_id: LOCAL_SLACK.admin,
        command: "/dq",
        text,
        response_url: slack.fakeSlack.responseUrl(),
        trigger_id: `${Date.now()}.${randomBytes(6).toString("hex")}`,
      }).toString();
      const headers = {
        "content-type": "application/x-www-form-urlencoded",
        ...signSlackRequest(body, slack.signingSecret, Math.floor(Date.now() / 1000)),
      };
      const event = functionUrlEvent({ method: "POST", url: "/slack/events", headers, body });
      const started = performance.now();
      const answer = (await handler(event)) as { statusCode?: number };
      const ms = performance.now() - started;
      if (answer.statusCode !== 200) throw new Error(`/dq ${text} answered ${answer.statusCode}`);
      return ms;
    };
    const results: AckLatency[] = [];
    for (const text of commands) {
      const firstMs = await send(text);
      const times: number[] = [];
      for (let i = 0; i < requests; i++) times.push(await send(text));
      results.push({
        command: `/dq ${text}`,
        requests,
        firstMs: round(firstMs, 2),
        p50Ms: round(quantile(times, 0.5), 2),
        p99Ms: round(quantile(times, 0.99), 2),
        maxMs: round(Math.max(...times), 2),
      });
    }
    return results;
  } finally {
    await stack.stop();
  }
}
