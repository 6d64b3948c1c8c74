import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { BackgroundInvoker, type InvocationRecord } from "./background-invoker.ts";
import { LocalAwsError, UnknownFunctionError } from "./errors.ts";
import { functionNameOf, type LocalFunctions } from "./functions.ts";
import { listenOnLoopback, readBody, sendJson } from "./http-server.ts";
import {
  DEFAULT_GROUP,
  SchedulerApiError,
  ScheduleStore,
  type StoredSchedule,
  withinEndDate,
} from "./scheduler-store.ts";
import { queueUrlFromArn } from "./sqs.ts";

export interface SchedulerShimOptions {
  functions: LocalFunctions;
  /** Client for SQS targets. Without it, an SQS target fails when it fires. */
  sqs?: SQSClient;
  /** Queue ARN to URL; otherwise GetQueueUrl through `sqs`. */
  queueUrls?: Readonly<Record<string, string>>;
  /** Restricts Lambda targets to this stack's function names. @default any dq stack */
  stack?: string;
  /** @default Date.now */
  clock?: () => number;
  /** How often due schedules are checked against the clock. @default 200 */
  tickMs?: number;
  /** Retries of a failed Lambda invocation, as Lambda retries an asynchronous invocation. @default 2 */
  retryAttempts?: number;
  /** @default 200 */
  retryDelayMs?: number;
  /** Unexpected errors of the background timer. @default nothing */
  onError?: (error: unknown) => void;
  /** @default 0 */
  port?: number;
}

/** One firing of a schedule. */
export interface FiredSchedule {
  scheduleName: string;
  groupName: string;
  /** ISO 8601, the occurrence fired (what `<aws.scheduler.scheduled-time>` became). */
  scheduledTime: string;
  /** Shim clock when it fired. */
  firedAt: number;
  targetArn: string;
  kind: "lambda" | "sqs" | "unsupported";
  /** What the target received: the parsed Input for a function, the message body for a queue. */
  payload: unknown;
  /** Delivered to SQS, or handed to the function (whose outcome is in `invocation`). */
  ok: boolean;
  error?: unknown;
  messageId?: string;
  invocation?: InvocationRecord;
}

/**
 * EventBridge Scheduler's schedule API (REST-JSON) for @aws-sdk/client-scheduler, and the firing: a Lambda target
 * gets its Input (context attributes filled in) through an asynchronous invocation, an SQS target a message.
 * Time comes from `clock`, which `advanceTo` can move forward so a test can reach the next UTC day at once.
 * Any group name is accepted; FlexibleTimeWindow is validated and kept, but a schedule fires at its window's start.
 */
export class SchedulerShim {
  readonly endpoint: string;
  readonly #stopServer: () => Promise<void>;
  readonly #options: SchedulerShimOptions;
  readonly #clock: () => number;
  readonly #invoker: BackgroundInvoker;
  readonly #store: ScheduleStore;
  readonly #fired: FiredSchedule[] = [];
  readonly #timer: NodeJS.Timeout;
  #offsetMs = 0;
  #firing: Promise<unknown> = Promise.resolve();

  private constructor(endpoint: string, stopServer: () => Promise<void>, options: SchedulerShimOptions) {
    this.endpoint = endpoint;
    this.#stopServer = stopServer;
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#invoker = new BackgroundInvoker({
      functions: options.functions,
      retryAttempts: options.retryAttempts,
      retryDelayMs: options.retryDelayMs,
      clock: () => this.now(),
    });
    this.#store = new ScheduleStore(() => this.now());
    this.#timer = setInterval(() => {
      this.fireDue().catch(options.onError ?? (() => {}));
    }, options.tickMs ?? 200);
  }

  static async start(options: SchedulerShimOptions): Promise<SchedulerShim> {
    let shim: SchedulerShim | undefined;
    const server = await listenOnLoopback(
      "Scheduler shim",
      (request, response) => (shim as SchedulerShim).#handle(request, response),
      options.port,
    );
    shim = new SchedulerShim(server.endpoint, () => server.stop(), options);
    return shim;
  }

  /** The shim's time: the clock plus however far advanceTo moved it. */
  now(): number {
    return this.#clock() + this.#offsetMs;
  }

  /** Moves the shim's time forward to `ms` (never back), then fires what became due. */
  advanceTo(ms: number): Promise<FiredSchedule[]> {
    const now = this.now();
    if (ms > now) this.#offsetMs += ms - now;
    return this.fireDue();
  }

  /**
   * Fires every enabled schedule whose next occurrence is due. Occurrences missed while time jumped collapse into
   * one firing, for the latest of them. Calls are serialized, so the timer and a test never fire one twice.
   */
  fireDue(): Promise<FiredSchedule[]> {
    const run = this.#firing.then(() => this.#fireDueNow());
    this.#firing = run.catch(() => {});
    return run;
  }

  /** Epoch ms of a schedule's next firing; undefined when it has none or does not exist. */
  nextFireTime(name: string, groupName = DEFAULT_GROUP): number | undefined {
    return this.#store.find(groupName, name)?.nextFireAt;
  }

  /** Every firing so far, oldest first. */
  fired(): readonly FiredSchedule[] {
    return this.#fired;
  }

  /** Resolves when no Lambda invocation started by a schedule is running. */
  idle(): Promise<void> {
    return this.#invoker.idle();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#firing;
    await this.#stopServer();
    await this.#invoker.idle();
  }

  async #fireDueNow(): Promise<FiredSchedule[]> {
    const now = this.now();
    const due = this.#store
      .all()
      .filter((s) => s.request.State === "ENABLED" && s.nextFireAt !== undefined && s.nextFireAt <= now)
      .sort((a, b) => (a.nextFireAt ?? 0) - (b.nextFireAt ?? 0));
    const fired: FiredSchedule[] = [];
    for (const schedule of due) {
      let occurrence = schedule.nextFireAt as number;
      let next = withinEndDate(schedule, schedule.expression.after(occurrence));
      for (let i = 0; next !== undefined && next <= now && i < 100_000; i++) {
        occurrence = next;
        next = withinEndDate(schedule, schedule.expression.after(occurrence));
      }
      schedule.nextFireAt = next;
      if (next === undefined && schedule.request.ActionAfterCompletion === "DELETE") this.#store.remove(schedule);
      const record = await this.#deliver(schedule, occurrence, now);
      this.#fired.push(record);
      fired.push(record);
    }
    return fired;
  }

  async #deliver(schedule: StoredSchedule, occurrence: number, now: number): Promise<FiredSchedule> {
    const target = schedule.request.Target;
    const input = fillContextAttributes(target.Input, schedule, occurrence);
    const base = {
      scheduleName: schedule.name,
      groupName: schedule.groupName,
      scheduledTime: isoSeconds(occurrence),
      firedAt: now,
      targetArn: target.Arn,
    };
    if (/^arn:aws[a-z-]*:lambda:/.test(target.Arn)) {
      const payload = parseInput(input);
      const functionName = functionNameOf(target.Arn, this.#options.stack);
      if (functionName === undefined || !this.#invoker.has(functionName))
        return { ...base, kind: "lambda", payload, ok: false, error: new UnknownFunctionError(target.Arn) };
      const invocation = this.#invoker.invoke(functionName, payload, `scheduler:${schedule.name}`);
      return { ...base, kind: "lambda", payload, ok: true, invocation };
    }
    if (/^arn:aws[a-z-]*:sqs:/.test(target.Arn)) {
      const body = input ?? "{}";
      try {
        const sqs = this.#options.sqs;
        if (sqs === undefined) throw new LocalAwsError("the Scheduler shim has no SQS client for SQS targets");
        const queueUrl = this.#options.queueUrls?.[target.Arn] ?? (await queueUrlFromArn(sqs, target.Arn));
        const sent = await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            MessageGroupId: target.SqsParameters?.MessageGroupId,
          }),
        );
        return { ...base, kind: "sqs", payload: body, ok: true, messageId: sent.MessageId };
      } catch (error) {
        return { ...base, kind: "sqs", payload: body, ok: false, error };
      }
    }
    return {
      ...base,
      kind: "unsupported",
      payload: input,
      ok: false,
      error: new LocalAwsError(`unsupported target ${target.Arn}`),
    };
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const body = await readBody(request);
      const url = new URL(request.url ?? "/", "http://localhost");
      sendJson(response, 200, this.#route(request.method ?? "GET", url, body));
    } catch (error) {
      if (!(error instanceof SchedulerApiError)) throw error;
      sendJson(response, error.status, { Message: error.message }, { "x-amzn-errortype": error.type });
    }
  }

  /** Routes and shapes of @aws-sdk/client-scheduler's REST-JSON serializer. */
  #route(method: string, url: URL, body: string): unknown {
    if (url.pathname === "/schedules" && method === "GET") return this.#store.list(url.searchParams);
    const match = url.pathname.match(/^\/schedules\/([^/]+)$/);
    if (!match?.[1]) throw new SchedulerApiError(404, "UnknownOperationException", `${method} ${url.pathname}`);
    const name = decodeURIComponent(match[1]);
    const group = url.searchParams.get("groupName") ?? DEFAULT_GROUP;
    switch (method) {
      case "POST":
        return this.#store.put(name, body, "create");
      case "PUT":
        return this.#store.put(name, body, "update");
      case "GET":
        return this.#store.get(group, name);
      case "DELETE":
        return this.#store.delete(group, name);
      default:
        throw new SchedulerApiError(404, "UnknownOperationException", `${method} ${url.pathname}`);
    }
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Scheduler's context attributes, which it substitutes in a target's Input before delivery. */
function fillContextAttributes(input: string | undefined, schedule: StoredSchedule, occurrence: number) {
  return input
    ?.replaceAll("<aws.scheduler.scheduled-time>", isoSeconds(occurrence))
    .replaceAll("<aws.scheduler.schedule-arn>", schedule.arn)
    .replaceAll("<aws.scheduler.execution-id>", randomUUID())
    .replaceAll("<aws.scheduler.attempt-number>", "1");
}

/** A Lambda target receives the Input as its event: JSON when it parses, `{}` when there is none. */
function parseInput(input: string | undefined): unknown {
  if (input === undefined) return {};
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

/** Starts a Scheduler shim; see SchedulerShim. */
export function startSchedulerShim(options: SchedulerShimOptions): Promise<SchedulerShim> {
  return SchedulerShim.start(options);
}
