import type { IncomingMessage, ServerResponse } from "node:http";
import { listenOnLoopback, sendJson } from "../aws/http-server.ts";
import { BLOCK_KIT, blockProblems, blocksTextLength } from "./block-kit-limits.ts";

/** A token bucket: `burst` calls at once, then `perSecond`. */
export interface FakeRateLimit {
  burst: number;
  perSecond: number;
}

/**
 * Slack's posting limits as the fake applies them. chat.postMessage allows about one message per second per
 * channel with short bursts; chat.update is a Tier 3 method (50+ per minute per workspace). A call over the limit
 * is answered HTTP 429 with `Retry-After` (whole seconds) and `{ok: false, error: "ratelimited"}`, as Slack does.
 */
export interface FakeSlackRateLimits {
  /** Per channel. @default { burst: 3, perSecond: 1 } */
  postMessage: FakeRateLimit;
  /** Per workspace. @default { burst: 10, perSecond: 50 / 60 } */
  update: FakeRateLimit;
}

export const SLACK_RATE_LIMITS: FakeSlackRateLimits = {
  postMessage: { burst: 3, perSecond: 1 },
  update: { burst: 10, perSecond: 50 / 60 },
};

export interface FakeSlackOptions {
  /** The only bot token accepted; others get `invalid_auth`. @default any token */
  token?: string;
  /** @default 0 (the OS picks) */
  port?: number;
  /** Called after every message is posted or updated, e.g. to print it in a terminal. */
  onMessage?: (message: FakeSlackMessage, call: FakeSlackCall) => void;
  /** How long every call (Web API and response_url) waits before it is answered. @default 0 */
  latencyMs?: number;
  /** `false` turns the posting limits off. @default SLACK_RATE_LIMITS */
  rateLimits?: Partial<FakeSlackRateLimits> | false;
}

/** One request the fake received: a Web API method (`chat.postMessage`, …) or a post to a response_url. */
export interface FakeSlackCall {
  method: string;
  /** The Bearer token, if one was sent. */
  token: string | undefined;
  /** Form fields or JSON, with `blocks` and `attachments` parsed from their JSON strings. */
  args: Record<string, unknown>;
  /** When the request arrived (ms). */
  at: number;
  /** What the fake answered: `ok`, or Slack's error code (`ratelimited`, `invalid_blocks`, …). */
  outcome?: string;
}

/** A channel message as it stands now, after every update. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** How many chat.update calls it has seen. */
  updates: number;
  /** Set on a reply: the ts of the message it replies to. */
  threadTs?: string;
  /** A reply also shown in the channel (`reply_broadcast`). */
  broadcast?: boolean;
  /** Files shared with the message (files.completeUploadExternal). */
  files?: FakeSlackFile[];
}

/** A file uploaded through files.getUploadURLExternal, its upload URL and files.completeUploadExternal. */
export interface FakeSlackFile {
  id: string;
  filename: string;
  title?: string;
  altText?: string;
  /** The bytes posted to the upload URL; undefined until they are. */
  bytes?: Buffer;
}

/** An answer forced on the next calls of a method (see `failNext`). */
export interface ForcedAnswer {
  /** HTTP status. @default 200 */
  status?: number;
  /** Slack's error code. @default internal_error */
  error?: string;
}

const BOT = { user_id: "UDQBOT", bot_id: "BDQBOT", team_id: "TDQLOCAL", team: "dq local", user: "dq" };

/**
 * A fake Slack Web API on loopback, for the local stack and tests, that behaves like Slack where dq can trip:
 * it answers auth.test, records chat.postMessage (threads and broadcasts included), chat.update and
 * chat.postEphemeral (form or JSON bodies, as @slack/web-api sends them) and posts to `/response/<id>` (what a
 * slash command's response_url points at); it refuses blocks beyond Block Kit's limits (`invalid_blocks`,
 * `msg_blocks_too_long`), answers bursts over the posting limits with 429 and Retry-After, and can be slowed down
 * or made to fail a method, to test what dq does when Slack is slow or failing.
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
  readonly #forced = new Map<string, ForcedAnswer[]>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #files = new Map<string, FakeSlackFile & { length: number }>();
  readonly #limits: FakeSlackRateLimits | undefined;
  #latencyMs: number;
  #lastTs = 0;

  private constructor(url: string, stopServer: () => Promise<void>, options: FakeSlackOptions) {
    this.url = url;
    this.apiUrl = `${url}/api/`;
    this.#stopServer = stopServer;
    this.#options = options;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#limits = options.rateLimits === false ? undefined : { ...SLACK_RATE_LIMITS, ...options.rateLimits };
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

  /** Channel messages in the order they were posted (thread replies included), each as it stands after its updates. */
  messages(channel?: string): FakeSlackMessage[] {
    return [...this.#messages.values()]
      .filter((m) => channel === undefined || m.channel === channel)
      .map((m) => ({ ...m }));
  }

  /** Messages shown in the channel itself: top-level ones and broadcast replies. */
  channelMessages(channel: string): FakeSlackMessage[] {
    return this.messages(channel).filter((m) => m.threadTs === undefined || m.broadcast);
  }

  /** The replies in the thread of `ts`, oldest first. */
  thread(channel: string, ts: string): FakeSlackMessage[] {
    return this.messages(channel).filter((m) => m.threadTs === ts);
  }

  message(channel: string, ts: string): FakeSlackMessage | undefined {
    const found = this.#messages.get(key(channel, ts));
    return found ? { ...found } : undefined;
  }

  /** A file by id, with the bytes uploaded for it. */
  file(id: string): FakeSlackFile | undefined {
    const found = this.#files.get(id);
    return found ? { ...found } : undefined;
  }

  /** Every later call waits this long before it is answered (a slow Slack). */
  setLatency(ms: number): void {
    this.#latencyMs = ms;
  }

  /** The next `times` calls of `method` get `answer` instead of their normal one. */
  failNext(method: string, answer: ForcedAnswer = {}, times = 1): void {
    const queue = this.#forced.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(answer);
    this.#forced.set(method, queue);
  }

  stop(): Promise<void> {
    return this.#stopServer();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const raw = await readRawBody(request);
    const body = raw.toString("utf8");
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const args = parseArgs(body, request.headers["content-type"]);
    const token = bearer(request.headers.authorization) ?? (typeof args.token === "string" ? args.token : undefined);
    if (this.#latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
    if (path.startsWith("/response/")) {
      const call: FakeSlackCall = { method: "response_url", token, args, at };
      this.#calls.push(call);
      // Slack answers a response_url post in plain text, 400 with the reason when it refuses the message.
      const refused = this.#refusal(call);
      call.outcome = refused ?? "ok";
      response.writeHead(refused ? 400 : 200, { "content-type": "text/plain" }).end(refused ?? "ok");
      return;
    }
    if (path.startsWith("/upload/")) {
      // Slack's upload URL: the file's bytes, raw or as the one part of a multipart form (the WebClient's way);
      // 200 with a plain-text answer, 400 when the bytes are not the length announced.
      const file = this.#files.get(path.slice("/upload/".length));
      const bytes = await uploadedBytes(raw, request.headers["content-type"]);
      this.#calls.push({ method: "upload", token, args: { file: file?.id, bytes: bytes.length }, at });
      if (!file || bytes.length === 0 || bytes.length !== file.length) {
        response.writeHead(400, { "content-type": "text/plain" }).end("bad upload");
        return;
      }
      file.bytes = bytes;
      response.writeHead(200, { "content-type": "text/plain" }).end(`OK - ${bytes.length}`);
      return;
    }
    const method = path.match(/^\/api\/([a-zA-Z.]+)$/)?.[1];
    if (method === undefined) {
      sendJson(response, 404, { ok: false, error: "unknown_method" });
      return;
    }
    const call: FakeSlackCall = { method, token, args, at };
    this.#calls.push(call);
    const answer = this.#answerOf(call);
    call.outcome = answer.body.ok === true ? "ok" : String(answer.body.error);
    sendJson(response, answer.status, answer.body, answer.headers);
  }

  #answerOf(call: FakeSlackCall): { status: number; body: Record<string, unknown>; headers?: Record<string, string> } {
    const forced = this.#forced.get(call.method)?.shift();
    if (forced) return { status: forced.status ?? 200, body: { ok: false, error: forced.error ?? "internal_error" } };
    if (call.token === undefined) return { status: 200, body: { ok: false, error: "not_authed" } };
    if (this.#options.token !== undefined && call.token !== this.#options.token)
      return { status: 200, body: { ok: false, error: "invalid_auth" } };
    const waitSeconds = this.#rateLimited(call);
    if (waitSeconds !== undefined)
      return {
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "retry-after": String(waitSeconds) },
      };
    const refused = this.#refusal(call);
    if (refused) return { status: 200, body: { ok: false, error: refused, response_metadata: { messages: [] } } };
    return { status: 200, body: this.#answer(call) };
  }

  /** Seconds to wait when the call is over its limit; undefined when it may go. */
  #rateLimited(call: FakeSlackCall): number | undefined {
    if (!this.#limits) return undefined;
    const channel = typeof call.args.channel === "string" ? call.args.channel : "";
    const [bucketKey, limit] =
      call.method === "chat.postMessage"
        ? [`post/${channel}`, this.#limits.postMessage]
        : call.method === "chat.update"
          ? ["update", this.#limits.update]
          : [undefined, undefined];
    if (bucketKey === undefined || limit === undefined) return undefined;
    const now = Date.now();
    const bucket = this.#buckets.get(bucketKey) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
    bucket.at = now;
    this.#buckets.set(bucketKey, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
  }

  /** Slack's error code for a message it would not take, or undefined. */
  #refusal(call: FakeSlackCall): string | undefined {
    if (!["chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"].includes(call.method))
      return undefined;
    const { text, blocks } = call.args;
    const hasBlocks = Array.isArray(call.args.blocks) && (call.args.blocks as unknown[]).length > 0;
    if (blocks !== undefined && !Array.isArray(blocks)) return "invalid_blocks_format";
    if (!hasBlocks && (typeof text !== "string" || text === "") && call.method !== "chat.update") return "no_text";
    if (typeof text === "string" && text.length > BLOCK_KIT.messageText) return "msg_too_long";
    if (hasBlocks) {
      if (blockProblems(blocks).length > 0) return "invalid_blocks";
      if (blocksTextLength(blocks as unknown[]) > BLOCK_KIT.blocksTotalText) return "msg_blocks_too_long";
    }
    return undefined;
  }

  #answer(call: FakeSlackCall): Record<string, unknown> {
    const channel = typeof call.args.channel === "string" ? call.args.channel : "";
    switch (call.method) {
      case "auth.test":
        return { ok: true, url: "https://dq-local.slack.com/", ...BOT };
      case "chat.postMessage": {
        if (!channel) return { ok: false, error: "channel_not_found" };
        const threadTs = typeof call.args.thread_ts === "string" ? call.args.thread_ts : undefined;
        if (threadTs !== undefined && !this.#messages.has(key(channel, threadTs)))
          return { ok: false, error: "thread_not_found" };
        const message: FakeSlackMessage = {
          channel,
          ts: this.#nextTs(),
          ...content(call.args),
          updates: 0,
          ...(threadTs !== undefined ? { threadTs } : {}),
          ...(threadTs !== undefined && truthy(call.args.reply_broadcast) ? { broadcast: true } : {}),
        };
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
      case "files.getUploadURLExternal":
        return this.#uploadUrl(call.args);
      case "files.completeUploadExternal":
        return this.#completeUpload(call.args);
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  #uploadUrl(args: Record<string, unknown>): Record<string, unknown> {
    const length = Number(args.length);
    if (typeof args.filename !== "string" || args.filename === "" || !Number.isInteger(length) || length <= 0)
      return { ok: false, error: "invalid_arguments" };
    const id = `F${String(this.#files.size + 1).padStart(8, "0")}`;
    const altText = typeof args.alt_text === "string" ? args.alt_text : undefined;
    this.#files.set(id, { id, filename: args.filename, length, ...(altText ? { altText } : {}) });
    return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
  }

  /** The uploaded files shared as one message, in a channel or a thread's reply. */
  #completeUpload(args: Record<string, unknown>): Record<string, unknown> {
    let listed: unknown;
    try {
      listed = typeof args.files === "string" ? JSON.parse(args.files) : args.files;
    } catch {
      return { ok: false, error: "invalid_arguments" };
    }
    if (!Array.isArray(listed) || listed.length === 0) return { ok: false, error: "invalid_arguments" };
    const files: FakeSlackFile[] = [];
    for (const entry of listed as { id?: unknown; title?: unknown }[]) {
      const file = this.#files.get(String(entry.id));
      if (!file?.bytes) return { ok: false, error: "file_not_found" };
      if (typeof entry.title === "string") file.title = entry.title;
      const { length: _length, ...shared } = file;
      files.push(shared);
    }
    const channel = typeof args.channel_id === "string" ? args.channel_id : undefined;
    if (channel) {
      const threadTs = typeof args.thread_ts === "string" ? args.thread_ts : undefined;
      if (threadTs !== undefined && !this.#messages.has(key(channel, threadTs)))
        return { ok: false, error: "thread_not_found" };
      const text = typeof args.initial_comment === "string" ? args.initial_comment : "";
      const message: FakeSlackMessage = {
        channel,
        ts: this.#nextTs(),
        text,
        blocks: [],
        updates: 0,
        files,
        ...(threadTs !== undefined ? { threadTs } : {}),
      };
      this.#messages.set(key(channel, message.ts), message);
    }
    return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title ?? f.filename, name: f.filename })) };
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

async function uploadedBytes(raw: Buffer, contentType: string | undefined): Promise<Buffer> {
  if (!contentType?.startsWith("multipart/form-data")) return raw;
  const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  for (const value of form.values())
    if (typeof value !== "string") return Buffer.from(await (value as Blob).arrayBuffer());
  return Buffer.alloc(0);
}

async function readRawBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function key(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

function truthy(value: unknown): boolean {
  return value === true || value === "true" || value === "1";
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
