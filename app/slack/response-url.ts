import type { SlackMessage } from "./blocks.ts";
import { SlackApiError } from "./chat.ts";

/** Ephemeral answers to the person who typed a command or pressed a button, through the request's response_url. */
export interface EphemeralReplies {
  reply(responseUrl: string, message: SlackMessage): Promise<void>;
}

export interface ResponseUrlRepliesOptions {
  /** A post not answered in this long fails. @default 10_000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** EphemeralReplies over HTTP: a JSON post to the response_url, visible to its user only, never replacing anything. */
export class ResponseUrlReplies implements EphemeralReplies {
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: ResponseUrlRepliesOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async reply(responseUrl: string, message: SlackMessage): Promise<void> {
    let status: number;
    let body: string;
    try {
      const response = await this.#fetch(responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body: JSON.stringify({
          response_type: "ephemeral",
          replace_original: false,
          text: message.text,
          blocks: message.blocks,
        }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.status;
      body = (await response.text()).slice(0, 200);
    } catch (error) {
      throw new SlackApiError("response_url", "", { cause: error });
    }
    if (status < 200 || status >= 300)
      throw new SlackApiError("response_url", "", { cause: new Error(`HTTP ${status}: ${body}`) });
  }
}
