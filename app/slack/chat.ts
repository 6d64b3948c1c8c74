import { webApi } from "@slack/bolt";
import { UserFacingError } from "../domain/errors.ts";
import type { SlackMessage } from "./blocks.ts";

/** A Slack Web API call that failed. `slackError` is Slack's code (`channel_not_found`, `message_not_found`, …). */
export class SlackApiError extends UserFacingError {
  override name = "SlackApiError";
  readonly method: string;
  readonly channel: string;
  readonly slackError: string | undefined;
  /** Set when Slack answered 429: the seconds its Retry-After asked for. */
  readonly retryAfterSeconds: number | undefined;
  constructor(method: string, channel: string, options: { cause: unknown }) {
    const slackError = platformError(options.cause);
    const retryAfter = retryAfterOf(options.cause);
    const reason =
      slackError ??
      (retryAfter !== undefined
        ? `rate limited (retry after ${retryAfter}s)`
        : options.cause instanceof Error
          ? options.cause.message
          : String(options.cause));
    super(`Slack ${method}${channel ? ` in ${channel}` : ""} failed: ${reason}`, options);
    this.method = method;
    this.channel = channel;
    this.slackError = slackError;
    this.retryAfterSeconds = retryAfter;
  }
}

/** Where a post goes besides its channel: a thread, and whether the reply shows in the channel too. */
export interface PostOptions {
  /** The ts of the message to reply to. */
  threadTs?: string;
  /** A reply also shown in the channel, which notifies like a new message (`reply_broadcast`). */
  broadcast?: boolean;
}

/** The calls dq makes to a channel; a port so views and notifications never see the Web API client. */
export interface SlackChat {
  post(channel: string, message: SlackMessage, options?: PostOptions): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
}

export interface WebClientOptions {
  /** The Web API base URL; the local stack and tests point it at the fake Slack. @default https://slack.com/api/ */
  slackApiUrl?: string;
  /** Retries of a call that failed for the network or a 5xx. @default 2 */
  retries?: number;
  /** A call not answered in this long fails. @default 10_000 */
  timeoutMs?: number;
  /**
   * A 429 fails the call at once, carrying Slack's Retry-After, instead of the client sleeping it out inside the
   * call: the caller decides whether its deadline leaves time to wait (see PacedChat). @default true
   */
  rejectRateLimited?: boolean;
}

/** A Web API client with few retries and a timeout: a Lambda has seconds, not the client's default half hour. */
export function createWebClient(token: string, options: WebClientOptions = {}): webApi.WebClient {
  return new webApi.WebClient(token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    retryConfig: { retries: options.retries ?? 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 },
    timeout: options.timeoutMs ?? 10_000,
    rejectRateLimitedCalls: options.rejectRateLimited ?? true,
  });
}

/** SlackChat over the Web API: chat.postMessage and chat.update. */
export class WebApiChat implements SlackChat {
  readonly #client: webApi.WebClient;

  constructor(client: webApi.WebClient) {
    this.#client = client;
  }

  async post(
    channel: string,
    message: SlackMessage,
    options: PostOptions = {},
  ): Promise<{ channel: string; ts: string }> {
    try {
      const base = { channel, text: message.text, blocks: message.blocks };
      const answer = await this.#client.chat.postMessage(
        options.threadTs ? { ...base, thread_ts: options.threadTs, reply_broadcast: options.broadcast ?? false } : base,
      );
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

function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfter?: unknown } | undefined)?.retryAfter;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
