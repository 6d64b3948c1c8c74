import { createHmac, randomBytes } from "node:crypto";

/** Slack's v0 signature over `v0:{timestamp}:{body}`, as the X-Slack-* headers carry it. */
export function signSlackRequest(body: string, secret: string, timestamp: number): Record<string, string> {
  const signature = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return { "X-Slack-Signature": `v0=${signature}`, "X-Slack-Request-Timestamp": String(timestamp) };
}

export interface SlashCommand {
  text: string;
  userId: string;
  channelId: string;
  /** Where Slack would take the command's follow-up answers. */
  responseUrl: string;
}

/**
 * Sends `/dq <text>` to a request URL exactly as Slack does: form-encoded, signed with the app's signing secret.
 * For the local stack (`dq slack`, the demo); Slack itself does this in a workspace.
 */
export async function sendSlashCommand(requestUrl: string, signingSecret: string, command: SlashCommand) {
  const body = new URLSearchParams({
    token: "local",
    team_id: "TDQLOCAL",
    team_domain: "dq-local",
    channel_id: command.channelId,
    channel_name: "dq",
    user_id: command.userId,
    user_name: "operator",
    command: "/dq",
    text: command.text,
    api_app_id: "ADQLOCAL",
    is_enterprise_install: "false",
    response_url: command.responseUrl,
    trigger_id: `${Date.now()}.${randomBytes(6).toString("hex")}`,
  }).toString();
  const response = await fetch(requestUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...signSlackRequest(body, signingSecret, Math.floor(Date.now() / 1000)),
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}
