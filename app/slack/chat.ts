import { webApi } from "@slack/bolt";
import { UserFacingError } from "../domain/errors.ts";
import type { SlackMessage } from "./blocks.ts";

/** A Slack Web API call that failed. `slackError` is Slack's code (`channel_not_found`, `message_not_found`, …). */
export class SlackApiError extends UserFacingError {
  override name = "SlackApiError";
  readonly method: string;
  readonly channel: string;
  readonly slackError: string | undefined;
  constructor(method: string, channel: string, options: { cause: unknown }) {
    const slackError = platformError(options.cause);
    const reason = slackError ?? (options.cause instanceof Error ? options.cause.message : String(options.cause));
    super(`Slack ${method} in ${channel} failed: ${reason}`, options);
    this.method = method;
    this.channel = channel;
    this.slackError = slackError;
  }
}

/** The two calls dq makes to a channel; a port so views and notifications never see the Web API client. */
export interface SlackChat {
  post(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
}

export interface WebClientOptions {
  /** The Web API base URL; the local stack and tests point it at the fake Slack. @default https://slack.com/api/ */
  slackApiUrl?: string;
  /** Retries of a failed call (rate limits, 5xx). @default 2 */
  retries?: number;
}

/** A Web API client with few retries: a Lambda has seconds, not the half hour of the client's default policy. */
export function createWebClient(token: string, options: WebClientOptions = {}): webApi.WebClient {
  return new webApi.WebClient(token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    retryConfig: { retries: options.retries ?? 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 },
    timeout: 10_000,
  });
}

/** SlackChat over the Web API: chat.postMessage and chat.update. */
export class WebApiChat implements SlackChat {
  readonly #client: webApi.WebClient;

  constructor(client: webApi.WebClient) {
    this.#client = client;
  }

  async post(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }> {
    try {
      const answer = await this.#client.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
      if (!answer.ts) throw new Error("the answer has no ts");
      return { channel: answer.channel ?? channel, ts: answer.ts };
    } catch (error) {
      throw new SlackApiError("chat.postMessage", channel, { cause: error });
    }
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    try {
      await this.#client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
    } catch (error) {
      throw new SlackApiError("chat.update", channel, { cause: error });
    }
  }
}

function platformError(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}
