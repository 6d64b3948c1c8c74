import type { SlackMessage } from "./blocks.ts";
import { type PostOptions, SlackApiError, type SlackChat } from "./chat.ts";

export interface PacedChatOptions {
  /**
   * Posts to one channel are kept this far apart: Slack allows about one message per second per channel.
   * @default 1100
   */
  postIntervalMs?: number;
  /** A call answered 429 is tried again after Retry-After, this many times. @default 3 */
  rateLimitRetries?: number;
  /**
   * The instant (ms) after which no call waits any more: a wait that would end after it fails the call at once
   * with the 429, so an invocation never outlives its timeout sitting out a rate limit. @default no deadline
   */
  deadline?: () => number;
  /** @default Date.now */
  clock?: () => number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * SlackChat within Slack's posting rate: posts to a channel are spaced out, and a 429 is waited out as its
 * Retry-After says (a few times, and never past the deadline). For the work that may post many messages in a row
 * (a summary and its thread) and that runs outside any request Slack is waiting on.
 */
export class PacedChat implements SlackChat {
  readonly #chat: SlackChat;
  readonly #interval: number;
  readonly #retries: number;
  readonly #deadline: () => number;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** Per channel: when the next post may go. */
  readonly #nextPost = new Map<string, number>();

  constructor(chat: SlackChat, options: PacedChatOptions = {}) {
    this.#chat = chat;
    this.#interval = options.postIntervalMs ?? 1100;
    this.#retries = options.rateLimitRetries ?? 3;
    this.#deadline = options.deadline ?? (() => Number.POSITIVE_INFINITY);
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async post(channel: string, message: SlackMessage, options?: PostOptions): Promise<{ channel: string; ts: string }> {
    const now = this.#clock();
    const at = Math.max(now, this.#nextPost.get(channel) ?? 0);
    this.#nextPost.set(channel, at + this.#interval);
    if (at > now) await this.#sleep(at - now);
    return this.#withRetries(() => this.#chat.post(channel, message, options));
  }

  update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    return this.#withRetries(() => this.#chat.update(channel, ts, message));
  }

  async #withRetries<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const wait = error instanceof SlackApiError ? error.retryAfterSeconds : undefined;
        if (wait === undefined || attempt >= this.#retries) throw error;
        const waitMs = Math.max(1, wait) * 1000;
        if (this.#clock() + waitMs > this.#deadline()) throw error;
        await this.#sleep(waitMs);
      }
    }
  }
}
