import type { IncomingMessage, ServerResponse } from "node:http";
import { listenOnLoopback, readBody, sendJson } from "../aws/http-server.ts";

export interface FakeSlackOptions {
  /** The only bot token accepted; others get `invalid_auth`. @default any token */
  token?: string;
  /** @default 0 (the OS picks) */
  port?: number;
  /** Called after every message is posted or updated, e.g. to print it in a terminal. */
  onMessage?: (message: FakeSlackMessage, call: FakeSlackCall) => void;
}

/** One request the fake received: a Web API method (`chat.postMessage`, …) or a post to a response_url. */
export interface FakeSlackCall {
  method: string;
  /** The Bearer token, if one was sent. */
  token: string | undefined;
  /** Form fields or JSON, with `blocks` and `attachments` parsed from their JSON strings. */
  args: Record<string, unknown>;
  at: number;
}

/** A channel message as it stands now, after every update. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** How many chat.update calls it has seen. */
  updates: number;
}

const BOT = { user_id: "UDQBOT", bot_id: "BDQBOT", team_id: "TDQLOCAL", team: "dq local", user: "dq" };

/**
 * A fake Slack Web API on loopback, for the local stack and tests: answers auth.test, records chat.postMessage,
 * chat.update and chat.postEphemeral (form or JSON bodies, as @slack/web-api sends them) and posts to
 * `/response/<id>` (what a slash command's response_url points at), and keeps each message's current state.
 */
export class FakeSlack {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The Web API base for SLACK_API_URL: `http://127.0.0.1:<port>/api/`. */
  readonly apiUrl: string;
  readonly #stopServer: () => Promise<void>;
  readonly #options: FakeSlackOptions;
  readonly #calls: FakeSlackCall[] = [];
  readonly #messages = new Map<string, FakeSlackMessage>();
  #lastTs = 0;

  private constructor(url: string, stopServer: () => Promise<void>, options: FakeSlackOptions) {
    this.url = url;
    this.apiUrl = `${url}/api/`;
    this.#stopServer = stopServer;
    this.#options = options;
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = await listenOnLoopback(
      "fake Slack",
      (request, response) => (fake as FakeSlack).#handle(request, response),
      options.port,
    );
    fake = new FakeSlack(server.endpoint, () => server.stop(), options);
    return fake;
  }

  /** A response_url for a slash command body; posts to it are recorded as method `response_url`. */
  responseUrl(id = "T0/1/abc"): string {
    return `${this.url}/response/${id}`;
  }

  /** Every call, oldest first; `method` filters. */
  calls(method?: string): FakeSlackCall[] {
    return method === undefined ? [...this.#calls] : this.#calls.filter((c) => c.method === method);
  }

  /** Channel messages in the order they were posted, each as it stands after its updates. */
  messages(channel?: string): FakeSlackMessage[] {
    return [...this.#messages.values()]
      .filter((m) => channel === undefined || m.channel === channel)
      .map((m) => ({ ...m }));
  }

  message(channel: string, ts: string): FakeSlackMessage | undefined {
    const found = this.#messages.get(key(channel, ts));
    return found ? { ...found } : undefined;
  }

  stop(): Promise<void> {
    return this.#stopServer();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const args = parseArgs(body, request.headers["content-type"]);
    const token = bearer(request.headers.authorization) ?? (typeof args.token === "string" ? args.token : undefined);
    if (path.startsWith("/response/")) {
      this.#calls.push({ method: "response_url", token, args, at: Date.now() });
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    const method = path.match(/^\/api\/([a-zA-Z.]+)$/)?.[1];
    if (method === undefined) {
      sendJson(response, 404, { ok: false, error: "unknown_method" });
      return;
    }
    const call: FakeSlackCall = { method, token, args, at: Date.now() };
    this.#calls.push(call);
    if (token === undefined) return sendJson(response, 200, { ok: false, error: "not_authed" });
    if (this.#options.token !== undefined && token !== this.#options.token)
      return sendJson(response, 200, { ok: false, error: "invalid_auth" });
    sendJson(response, 200, this.#answer(call));
  }

  #answer(call: FakeSlackCall): Record<string, unknown> {
    const channel = typeof call.args.channel === "string" ? call.args.channel : "";
    switch (call.method) {
      case "auth.test":
        return { ok: true, url: "https://dq-local.slack.com/", ...BOT };
      case "chat.postMessage": {
        if (!channel) return { ok: false, error: "channel_not_found" };
        const message: FakeSlackMessage = { channel, ts: this.#nextTs(), ...content(call.args), updates: 0 };
        this.#messages.set(key(channel, message.ts), message);
        this.#options.onMessage?.({ ...message }, call);
        return { ok: true, channel, ts: message.ts, message: { text: message.text, blocks: message.blocks } };
      }
      case "chat.update": {
        const ts = String(call.args.ts ?? "");
        const message = this.#messages.get(key(channel, ts));
        if (!message) return { ok: false, error: "message_not_found" };
        Object.assign(message, content(call.args), { updates: message.updates + 1 });
        this.#options.onMessage?.({ ...message }, call);
        return { ok: true, channel, ts, text: message.text };
      }
      case "chat.postEphemeral":
        if (!channel || typeof call.args.user !== "string") return { ok: false, error: "invalid_arguments" };
        return { ok: true, message_ts: this.#nextTs() };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  /** Slack's ts: seconds and a six-digit sequence, unique and increasing. */
  #nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.#lastTs + 1);
    this.#lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, "0")}`;
  }
}

export function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  return FakeSlack.start(options);
}

function key(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

function content(args: Record<string, unknown>): { text: string; blocks: unknown[] } {
  return {
    text: typeof args.text === "string" ? args.text : "",
    blocks: Array.isArray(args.blocks) ? args.blocks : [],
  };
}

function bearer(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (contentType?.includes("application/json")) {
    try {
      const parsed: unknown = JSON.parse(body || "{}");
      if (parsed && typeof parsed === "object") args = parsed as Record<string, unknown>;
    } catch {
      args = {};
    }
  } else {
    args = Object.fromEntries(new URLSearchParams(body));
  }
  for (const field of ["blocks", "attachments"]) {
    const value = args[field];
    if (typeof value !== "string") continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      // Slack would reject it; keeping the raw string lets a test see what was sent.
    }
  }
  return args;
}
