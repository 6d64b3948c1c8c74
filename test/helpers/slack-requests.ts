import type { SlackLambdaEvent } from "../../app/handlers/slack.ts";
import { functionUrlEvent } from "../../local/slack/function-url-event.ts";
import { signSlackRequest } from "../../local/slack/slash-command.ts";

export { signSlackRequest };

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const BOT_TOKEN = "xoxb-test-token";

export interface SlashCommandFields {
  text?: string;
  user_id?: string;
  channel_id?: string;
  trigger_id?: string;
  response_url?: string;
  [field: string]: string | undefined;
}

/** A slash-command body, form-encoded in the field order Slack uses. */
export function slashCommandBody(fields: SlashCommandFields = {}): string {
  const all: Record<string, string | undefined> = {
    token: "gIkuvaNzQIHg97ATvDxqgjtO",
    team_id: "T0001",
    team_domain: "example",
    channel_id: "C0OPS",
    channel_name: "dq-ops",
    user_id: "U0ALICE",
    user_name: "alice",
    command: "/dq",
    text: "",
    api_app_id: "A0DQ",
    is_enterprise_install: "false",
    response_url: "https://hooks.slack.com/commands/T0001/1/abc",
    trigger_id: "13345224609.738474920.8088930838d88f008e0",
    ...fields,
  };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(all)) if (value !== undefined) params.append(name, value);
  return params.toString();
}

/** What a button press says: which button, on which message, by whom. */
export interface BlockActionFields {
  actionId: string;
  value?: string;
  userId?: string;
  channelId?: string;
  messageTs?: string;
  triggerId?: string;
  responseUrl?: string;
}

/**
 * A `block_actions` interactivity body as Slack posts it to the request URL: form-encoded, its one field
 * `payload` holding the JSON (trimmed to the fields Bolt and dq read).
 */
export function blockActionBody(fields: BlockActionFields): string {
  const channel = fields.channelId ?? "C0OPS";
  const messageTs = fields.messageTs ?? "1768537800.000100";
  const payload = {
    type: "block_actions",
    user: { id: fields.userId ?? "U0ALICE", username: "alice", name: "alice", team_id: "T0001" },
    api_app_id: "A0DQ",
    token: "gIkuvaNzQIHg97ATvDxqgjtO",
    container: { type: "message", message_ts: messageTs, channel_id: channel, is_ephemeral: false },
    trigger_id: fields.triggerId ?? "13345224609.738474920.8088930838d88f008e0",
    team: { id: "T0001", domain: "example" },
    is_enterprise_install: false,
    channel: { id: channel, name: "dq-ops" },
    message: { type: "message", ts: messageTs, text: "dq summary", bot_id: "BDQBOT" },
    response_url: fields.responseUrl ?? "https://hooks.slack.com/actions/T0001/1/abc",
    actions: [
      {
        type: "button",
        action_id: fields.actionId,
        block_id: "dq-actions",
        text: { type: "plain_text", text: "Retry failed", emoji: true },
        ...(fields.value !== undefined ? { value: fields.value } : {}),
        action_ts: "1768537860.123456",
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface SignedEventOptions {
  secret?: string;
  /** Seconds since the epoch. @default now */
  timestamp?: number;
  /** Extra headers, e.g. X-Slack-Retry-Num. */
  headers?: Record<string, string>;
  /** Replaces the signature (a forgery). */
  signature?: string;
}

/** The function URL event Slack's POST of `body` to /slack/events becomes, signed as Slack signs it. */
export function signedSlackEvent(body: string, options: SignedEventOptions = {}): SlackLambdaEvent {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signed = signSlackRequest(body, options.secret ?? SIGNING_SECRET, timestamp);
  return functionUrlEvent({
    method: "POST",
    url: "/slack/events",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      ...signed,
      ...(options.signature ? { "X-Slack-Signature": options.signature } : {}),
      ...options.headers,
    },
    body,
  });
}
