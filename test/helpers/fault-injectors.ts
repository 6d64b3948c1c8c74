/**
 * Fault injection for the local stack: SDK middleware for DynamoDB (throttling, crashes after a write, forced
 * conditional-write collisions), processor wrappers (duplicate deliveries, poison batches, skewed workers), a
 * recording proxy in front of the Twelve Data emulator that can rewrite answers, and a second consumer of the
 * same API key. Every injection is counted, so a scenario can say exactly what it did.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SQSEvent } from "aws-lambda";
import type { AwsClient } from "../../app/runtime/pipeline-runtime.ts";
import type { LocalFunction } from "../../local/aws/functions.ts";

/** An error the test put there on purpose: never a defect of the code under test. */
export class InjectedFault extends Error {
  override name = "InjectedFault";
  readonly kind: string;
  constructor(kind: string, message: string) {
    super(`injected ${kind}: ${message}`);
    this.kind = kind;
  }
}

/** Counts of what was injected, by kind. */
export class FaultCounter {
  readonly #counts = new Map<string, number>();

  add(kind: string, n = 1): void {
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + n);
  }

  get(kind: string): number {
    return this.#counts.get(kind) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.#counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.#counts.clear();
  }
}

type Args = { input: Record<string, unknown> };
type Next = (args: Args) => Promise<{ output: unknown }>;
type Context = { commandName?: string };

interface ThrottlePlan {
  /** Throttle one request in `every` (1: every request) until `remaining` are spent. */
  every: number;
  remaining: number;
  seen: number;
  commands?: readonly string[];
}

/**
 * DynamoDB faults as SDK middleware, installed through startLocalStack's `instrumentClient`. Nothing happens until
 * a fault is armed; each arming has a budget, so the scenario injects an exact number.
 */
export class DynamoFaults {
  readonly counter: FaultCounter;
  #throttle: ThrottlePlan | undefined;
  #crashesAfterResults = 0;
  #collisions: { remaining: number; holdMs: number } | undefined;
  readonly #waiting = new Map<string, () => void>();

  constructor(counter = new FaultCounter()) {
    this.counter = counter;
  }

  /** For startLocalStack's `instrumentClient`: only DynamoDB clients get the middleware. */
  readonly instrument = (client: AwsClient): void => {
    if (client.config.serviceId !== "DynamoDB") return;
    const stack = client.middlewareStack as unknown as MiddlewareStack;
    // Outside the SDK's retries: sees one logical call and its final outcome.
    stack.add((next: Next) => (args: Args) => this.#afterWrite(next, args), {
      step: "initialize",
      name: "dqFaultsCrashAfterWrite",
    });
    // Inside the SDK's retries: a throttle here is retried with backoff like one DynamoDB answers.
    stack.addRelativeTo((next: Next, context: Context) => (args: Args) => this.#perAttempt(next, context, args), {
      relation: "after",
      toMiddleware: "retryMiddleware",
      name: "dqFaultsPerAttempt",
    });
  };

  /**
   * The next requests (one in `every`, `count` in all) fail with ProvisionedThroughputExceededException.
   * `commands` limits it (e.g. ["UpdateItemCommand"]). With every = 1 a call exhausts the SDK's retries.
   */
  throttle(count: number, options: { every?: number; commands?: readonly string[] } = {}): void {
    this.#throttle = { every: options.every ?? 1, remaining: count, seen: 0, commands: options.commands };
  }

  /** The next `count` BatchWriteItem calls that store results succeed, and then the caller dies. */
  crashAfterResultsWrite(count = 1): void {
    this.#crashesAfterResults = count;
  }

  /**
   * Conditional writes to the same item are held (up to `holdMs`) until a second one arrives, then both are sent
   * together: the races that duplicate deliveries could cause happen every time, and lose genuinely.
   */
  collideConditionalWrites(count: number, holdMs = 150): void {
    this.#collisions = { remaining: count, holdMs };
  }

  disarm(): void {
    this.#throttle = undefined;
    this.#crashesAfterResults = 0;
    this.#collisions = undefined;
    for (const release of this.#waiting.values()) release();
    this.#waiting.clear();
  }

  async #afterWrite(next: Next, args: Args) {
    const out = await next(args);
    if (this.#crashesAfterResults > 0 && isResultsWrite(args.input)) {
      this.#crashesAfterResults--;
      this.counter.add("processor crash after results write");
      throw new InjectedFault("crash", "the worker died right after writing its results");
    }
    return out;
  }

  async #perAttempt(next: Next, context: Context, args: Args) {
    const command = context.commandName ?? "";
    const throttle = this.#throttle;
    if (throttle && throttle.remaining > 0 && (!throttle.commands || throttle.commands.includes(command))) {
      throttle.seen++;
      if (throttle.seen % throttle.every === 0) {
        throttle.remaining--;
        this.counter.add("dynamodb throttle");
        throw throttlingError(command);
      }
    }
    const key = conditionalKey(command, args.input);
    const collisions = this.#collisions;
    if (key && collisions && collisions.remaining > 0) await this.#collide(key, collisions);
    return next(args);
  }

  async #collide(key: string, collisions: { remaining: number; holdMs: number }): Promise<void> {
    const partner = this.#waiting.get(key);
    if (partner) {
      this.#waiting.delete(key);
      collisions.remaining--;
      this.counter.add("conditional write collision");
      partner();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (this.#waiting.get(key) === release) this.#waiting.delete(key);
        resolve();
      }, collisions.holdMs);
      const release = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiting.set(key, release);
    });
  }
}

interface MiddlewareStack {
  add(middleware: unknown, options: { step: string; name: string }): void;
  addRelativeTo(middleware: unknown, options: { relation: "after"; toMiddleware: string; name: string }): void;
}

function throttlingError(command: string): Error {
  const error = new InjectedFault(
    "throttle",
    `${command}: the level of configured provisioned throughput was exceeded`,
  );
  return Object.assign(error, {
    name: "ProvisionedThroughputExceededException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
  });
}

function isResultsWrite(input: Record<string, unknown>): boolean {
  return "RequestItems" in input && JSON.stringify(input.RequestItems).includes("RESULT#");
}

/** The item a conditional single-item write targets, or undefined for anything else. */
function conditionalKey(command: string, input: Record<string, unknown>): string | undefined {
  if (command !== "UpdateItemCommand" && command !== "PutItemCommand") return undefined;
  if (typeof input.ConditionExpression !== "string") return undefined;
  const item = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  if (!item) return undefined;
  const sk = JSON.stringify(item.SK);
  // The ledger's own optimistic loops are exercised by their tests; here the races of sessions and batches.
  if (JSON.stringify(item.PK).includes("LEDGER#")) return undefined;
  return `${JSON.stringify(item.PK)}|${sk}`;
}

/** What the processor wrappers may do to each SQS event, switchable while the stack runs. */
export class ProcessorFaults {
  readonly counter: FaultCounter;
  /** Every event is handled twice at once (SQS's at-least-once delivery, the worst case). */
  duplicate = false;
  /** Batch numbers whose messages throw on every delivery (poison messages). */
  readonly poisonBatches = new Set<number>();
  /** Alternate deliveries go to this handler instead (e.g. a worker whose clock is skewed). */
  alternate: LocalFunction | undefined;
  #turn = 0;

  constructor(counter = new FaultCounter()) {
    this.counter = counter;
  }

  /** For startLocalStack's `wrapProcessor`. */
  readonly wrap =
    (handler: LocalFunction): LocalFunction =>
    async (event) => {
      const body = JSON.parse((event as SQSEvent).Records[0]?.body ?? "{}") as { type?: string; batch?: number };
      if (body.type === "batch" && body.batch !== undefined && this.poisonBatches.has(body.batch)) {
        this.counter.add("poison delivery");
        throw new InjectedFault("poison", `batch ${body.batch} fails on every delivery`);
      }
      const alternate = this.alternate;
      const target = alternate && this.#turn++ % 2 === 1 ? alternate : handler;
      if (alternate && target === alternate) this.counter.add("delivery to a skewed worker");
      if (!this.duplicate) return target(event);
      this.counter.add("duplicate delivery");
      const [first] = await Promise.all([target(event), handler(event)]);
      return first;
    };

  reset(): void {
    this.duplicate = false;
    this.poisonBatches.clear();
    this.alternate = undefined;
  }
}

/** One request the provider proxy passed on. */
export interface ProxiedRequest {
  /** Path and query exactly as received (still percent-encoded). */
  rawUrl: string;
  /** The `symbol` parameter, decoded. */
  symbols: string[];
  headers: Record<string, string | string[] | undefined>;
  status: number;
}

/** Rewrites one symbol's entry of a JSON answer (the parsed entry in, the entry to send out). */
export type EntryRewrite = (entry: Record<string, unknown>) => unknown;

export interface ProviderProxy {
  url: string;
  requests(): readonly ProxiedRequest[];
  /** From now on, the entry of `symbol` in every answer is rewritten. */
  rewrite(symbol: string, fn: EntryRewrite): void;
  clearRewrites(): void;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the Twelve Data emulator: records every request as received (so a test can
 * assert what reached the provider's URL) and rewrites chosen symbols' entries (missing fields, strings where
 * numbers belong, duplicated dates) while the rest of the answer stays the emulator's.
 */
export async function startProviderProxy(target: string, counter = new FaultCounter()): Promise<ProviderProxy> {
  const requests: ProxiedRequest[] = [];
  const rewrites = new Map<string, EntryRewrite>();
  const server: Server = createServer((req, res) => {
    forward(req)
      .then(({ status, headers, body }) => {
        res.writeHead(status, headers).end(body);
      })
      .catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
  });
  async function forward(req: IncomingMessage) {
    const rawUrl = req.url ?? "/";
    const symbols = (new URL(rawUrl, "http://proxy").searchParams.get("symbol") ?? "").split(",").filter(Boolean);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === "string" && name !== "host" && name !== "connection") headers[name] = value;
    const response = await fetch(`${target}${rawUrl}`, { headers });
    let body = await response.text();
    const entry: ProxiedRequest = { rawUrl, symbols, headers: req.headers, status: response.status };
    requests.push(entry);
    const touched = symbols.filter((s) => rewrites.has(s.toUpperCase()));
    if (touched.length > 0 && response.ok) {
      try {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        const keyed = symbols.length > 1;
        for (const symbol of touched) {
          const fn = rewrites.get(symbol.toUpperCase()) as EntryRewrite;
          if (keyed) parsed[symbol] = fn(parsed[symbol] as Record<string, unknown>);
          else body = JSON.stringify(fn(parsed));
          counter.add("provider answer rewritten");
        }
        if (keyed) body = JSON.stringify(parsed);
      } catch {
        // Not JSON (an injected HTML page or a cut answer): passed on as it is.
      }
    }
    const out: Record<string, string> = { "content-type": response.headers.get("content-type") ?? "text/plain" };
    for (const name of ["api-credits-used", "api-credits-left"]) {
      const value = response.headers.get(name);
      if (value !== null) out[name] = value;
    }
    return { status: response.status, headers: out, body };
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    rewrite: (symbol, fn) => rewrites.set(symbol.toUpperCase(), fn),
    clearRewrites: () => rewrites.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Another consumer of the same API key, spending credits straight at the provider (a colleague's notebook, a
 * second deployment). Returns how many of its requests were accepted and refused (429).
 */
export async function spendElsewhere(
  providerUrl: string,
  apiKey: string,
  symbols: readonly string[],
): Promise<{ accepted: number; rateLimited: number }> {
  const url = new URL("time_series", providerUrl.endsWith("/") ? providerUrl : `${providerUrl}/`);
  url.search = new URLSearchParams({ symbol: symbols.join(","), interval: "1day", outputsize: "5" }).toString();
  const response = await fetch(url, { headers: { authorization: `apikey ${apiKey}` } });
  const text = await response.text();
  const limited = response.status === 429 || /"code":\s*429/.test(text);
  return { accepted: limited ? 0 : 1, rateLimited: limited ? 1 : 0 };
}
