import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EventBridgeEvent } from "aws-lambda";
import { z } from "zod";
import { type FunctionName, RULES } from "../../app/wiring.ts";
import { BackgroundInvoker, type InvocationRecord } from "./background-invoker.ts";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./env.ts";
import { assertExactPattern, type ExactEventPattern, matchesPattern } from "./event-pattern.ts";
import type { LocalFunctions } from "./functions.ts";
import { listenOnLoopback, readBody, sendJson } from "./http-server.ts";

export interface EventRule {
  name: string;
  pattern: unknown;
  target: FunctionName;
}

export interface EventBridgeShimOptions {
  functions: LocalFunctions;
  /** @default RULES of the wiring module */
  rules?: readonly EventRule[];
  /** When set, entries for any other bus (by name or ARN) fail with InvalidArgument. @default every bus accepted */
  eventBusName?: string;
  /** Retries of a failed delivery, as Lambda retries an asynchronous invocation. @default 2 */
  retryAttempts?: number;
  /** @default 200 */
  retryDelayMs?: number;
  /** @default 0 */
  port?: number;
  /** @default Date.now */
  clock?: () => number;
}

export type LocalEvent = EventBridgeEvent<string, unknown>;

const JSON_11 = "application/x-amz-json-1.1";

const PutEventsRequest = z.object({
  Entries: z.array(z.record(z.string(), z.unknown())).min(1).max(10),
});

const Entry = z.object({
  Source: z.string().min(1),
  DetailType: z.string().min(1),
  Detail: z.string().min(1),
  Resources: z.array(z.string()).default([]),
  Time: z.number().optional(),
  EventBusName: z.string().optional(),
});

type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * EventBridge's PutEvents (AWS JSON 1.1) for @aws-sdk/client-eventbridge, with the wiring's rules: an accepted event
 * is recorded and delivered, in the shape Lambda receives, to each matching rule's function in the background.
 */
export class EventBridgeShim {
  readonly endpoint: string;
  readonly #stopServer: () => Promise<void>;
  readonly #options: EventBridgeShimOptions;
  readonly #rules: readonly (EventRule & { pattern: ExactEventPattern })[];
  readonly #invoker: BackgroundInvoker;
  readonly #clock: () => number;
  readonly #events: LocalEvent[] = [];
  #failures: { remaining: number; errorCode: string } = { remaining: 0, errorCode: "InternalFailure" };

  private constructor(
    endpoint: string,
    stopServer: () => Promise<void>,
    options: EventBridgeShimOptions,
    rules: readonly (EventRule & { pattern: ExactEventPattern })[],
  ) {
    this.endpoint = endpoint;
    this.#stopServer = stopServer;
    this.#options = options;
    this.#rules = rules;
    this.#clock = options.clock ?? Date.now;
    this.#invoker = new BackgroundInvoker({
      functions: options.functions,
      retryAttempts: options.retryAttempts,
      retryDelayMs: options.retryDelayMs,
      clock: this.#clock,
    });
  }

  /** Validates the rules' patterns (exact values only), then listens on 127.0.0.1. */
  static async start(options: EventBridgeShimOptions): Promise<EventBridgeShim> {
    const rules = (options.rules ?? RULES).map((rule) => {
      assertExactPattern(rule.pattern, `rule ${rule.name}`);
      return { ...rule, pattern: rule.pattern };
    });
    let shim: EventBridgeShim | undefined;
    const server = await listenOnLoopback("EventBridge shim", (request, response) =>
      (shim as EventBridgeShim).#handle(request, response),
    );
    shim = new EventBridgeShim(server.endpoint, () => server.stop(), options, rules);
    return shim;
  }

  /** The next `count` entries fail with `errorCode` (FailedEntryCount > 0) and are neither recorded nor delivered. */
  failNext(count: number, errorCode = "InternalFailure"): void {
    this.#failures = { remaining: count, errorCode };
  }

  /** Every event accepted, oldest first. */
  events(): readonly LocalEvent[] {
    return this.#events;
  }

  /** Every delivery to a rule's target, with its outcome. */
  deliveries(): readonly InvocationRecord[] {
    return this.#invoker.records();
  }

  /** Resolves when no delivery is running. */
  idle(): Promise<void> {
    return this.#invoker.idle();
  }

  async stop(): Promise<void> {
    await this.#stopServer();
    await this.#invoker.idle();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const target = request.headers["x-amz-target"];
    if (request.method !== "POST" || target !== "AWSEvents.PutEvents") {
      sendJson(response, 400, { __type: "UnknownOperationException", message: `unsupported: ${target}` }, {}, JSON_11);
      return;
    }
    let parsed: z.infer<typeof PutEventsRequest>;
    try {
      parsed = PutEventsRequest.parse(JSON.parse(body));
    } catch (error) {
      const message = error instanceof z.ZodError ? z.prettifyError(error) : "request body is not JSON";
      sendJson(response, 400, { __type: "ValidationException", message }, {}, JSON_11);
      return;
    }
    const entries = parsed.Entries.map((entry) => this.#accept(entry));
    const failed = entries.filter((entry) => "ErrorCode" in entry).length;
    sendJson(response, 200, { FailedEntryCount: failed, Entries: entries }, {}, JSON_11);
  }

  #accept(raw: Record<string, unknown>): ResultEntry {
    if (this.#failures.remaining > 0) {
      this.#failures.remaining--;
      return { ErrorCode: this.#failures.errorCode, ErrorMessage: "injected failure (local EventBridge shim)" };
    }
    const entry = Entry.safeParse(raw);
    if (!entry.success) return { ErrorCode: "InvalidArgument", ErrorMessage: z.prettifyError(entry.error) };
    const { Source, DetailType, Detail, Resources, Time, EventBusName } = entry.data;
    const bus = this.#options.eventBusName;
    if (bus !== undefined && !sameBus(EventBusName ?? "default", bus))
      return { ErrorCode: "InvalidArgument", ErrorMessage: `Event bus ${EventBusName ?? "default"} does not exist.` };
    let detail: unknown;
    try {
      detail = JSON.parse(Detail);
    } catch {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    if (detail === null || typeof detail !== "object" || Array.isArray(detail))
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    const event: LocalEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": DetailType,
      source: Source,
      account: LOCAL_ACCOUNT_ID,
      time: isoSeconds(Time === undefined ? this.#clock() : Time * 1000),
      region: LOCAL_REGION,
      resources: Resources,
      detail,
    };
    this.#events.push(event);
    for (const rule of this.#rules)
      if (matchesPattern(rule.pattern, event)) this.#invoker.invoke(rule.target, event, `eventbridge:${rule.name}`);
    return { EventId: event.id };
  }
}

/** ISO 8601 to the second, as EventBridge writes `time`. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function sameBus(requested: string, configured: string): boolean {
  const name = (busNameOrArn: string) => busNameOrArn.split("event-bus/").pop() ?? busNameOrArn;
  return name(requested) === name(configured);
}

/** Starts an EventBridge shim; see EventBridgeShim. */
export function startEventBridgeShim(options: EventBridgeShimOptions): Promise<EventBridgeShim> {
  return EventBridgeShim.start(options);
}
