import { z } from "zod";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./env.ts";
import { InvalidScheduleExpressionError, LocalAwsError } from "./errors.ts";
import { parseScheduleExpression, type ScheduleExpression } from "./schedule-expression.ts";
import { ListSchedulesQuery, SCHEDULE_NAME, ScheduleRequest } from "./scheduler-schema.ts";

/** A request the Scheduler API refuses, answered with `status` and `x-amzn-ErrorType: type`. */
export class SchedulerApiError extends LocalAwsError {
  override name = "SchedulerApiError";
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export interface StoredSchedule {
  name: string;
  groupName: string;
  arn: string;
  request: ScheduleRequest;
  expression: ScheduleExpression;
  creationDate: number;
  lastModificationDate: number;
  /** Epoch ms of the next firing; undefined once a schedule has none left. */
  nextFireAt: number | undefined;
}

export const DEFAULT_GROUP = "default";

/** The schedules and the API operations on them, as EventBridge Scheduler answers them. Any group name is accepted. */
export class ScheduleStore {
  readonly #now: () => number;
  readonly #schedules = new Map<string, StoredSchedule>();

  constructor(now: () => number) {
    this.#now = now;
  }

  find(groupName: string, name: string): StoredSchedule | undefined {
    return this.#schedules.get(key(groupName, name));
  }

  all(): StoredSchedule[] {
    return [...this.#schedules.values()];
  }

  remove(schedule: StoredSchedule): void {
    this.#schedules.delete(key(schedule.groupName, schedule.name));
  }

  put(name: string, body: string, mode: "create" | "update"): { ScheduleArn: string } {
    if (!SCHEDULE_NAME.test(name)) throw new SchedulerApiError(400, "ValidationException", `invalid name ${name}`);
    const request = parseRequest(body);
    const groupName = request.GroupName ?? DEFAULT_GROUP;
    const existing = this.find(groupName, name);
    if (mode === "create" && existing !== undefined) {
      // A retry of the same request (same idempotency token) is not a conflict.
      if (request.ClientToken !== undefined && existing.request.ClientToken === request.ClientToken)
        return { ScheduleArn: existing.arn };
      throw new SchedulerApiError(409, "ConflictException", `Schedule ${name} already exists.`);
    }
    if (mode === "update" && existing === undefined)
      throw new SchedulerApiError(404, "ResourceNotFoundException", `Schedule ${name} does not exist.`);
    let expression: ScheduleExpression;
    try {
      expression = parseScheduleExpression(request.ScheduleExpression, request.ScheduleExpressionTimezone ?? "UTC");
    } catch (error) {
      if (error instanceof InvalidScheduleExpressionError)
        throw new SchedulerApiError(400, "ValidationException", error.message);
      throw error;
    }
    const now = this.#now();
    const stored: StoredSchedule = {
      name,
      groupName,
      arn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:schedule/${groupName}/${name}`,
      request,
      expression,
      creationDate: existing?.creationDate ?? now,
      lastModificationDate: now,
      nextFireAt: undefined,
    };
    const start = request.StartDate === undefined ? now : Math.max(now, request.StartDate * 1000);
    stored.nextFireAt = withinEndDate(stored, expression.first(start));
    this.#schedules.set(key(groupName, name), stored);
    return { ScheduleArn: stored.arn };
  }

  get(groupName: string, name: string): Record<string, unknown> {
    const schedule = this.#existing(groupName, name);
    const { ClientToken: _token, GroupName: _group, ...request } = schedule.request;
    return {
      ...request,
      Arn: schedule.arn,
      Name: schedule.name,
      GroupName: schedule.groupName,
      CreationDate: schedule.creationDate / 1000,
      LastModificationDate: schedule.lastModificationDate / 1000,
    };
  }

  delete(groupName: string, name: string): Record<string, never> {
    this.remove(this.#existing(groupName, name));
    return {};
  }

  list(params: URLSearchParams): unknown {
    const parsed = ListSchedulesQuery.safeParse(Object.fromEntries(params));
    if (!parsed.success) throw new SchedulerApiError(400, "ValidationException", z.prettifyError(parsed.error));
    const query = parsed.data;
    const matching = this.all()
      .filter((s) => query.ScheduleGroup === undefined || s.groupName === query.ScheduleGroup)
      .filter((s) => query.NamePrefix === undefined || s.name.startsWith(query.NamePrefix))
      .filter((s) => query.State === undefined || s.request.State === query.State)
      .sort((a, b) => key(a.groupName, a.name).localeCompare(key(b.groupName, b.name)));
    const offset = query.NextToken === undefined ? 0 : Number(Buffer.from(query.NextToken, "base64url").toString());
    const page = matching.slice(offset, offset + query.MaxResults);
    const end = offset + page.length;
    return {
      Schedules: page.map((s) => ({
        Arn: s.arn,
        Name: s.name,
        GroupName: s.groupName,
        State: s.request.State,
        CreationDate: s.creationDate / 1000,
        LastModificationDate: s.lastModificationDate / 1000,
        Target: { Arn: s.request.Target.Arn },
      })),
      ...(end < matching.length && { NextToken: Buffer.from(String(end)).toString("base64url") }),
    };
  }

  #existing(groupName: string, name: string): StoredSchedule {
    const schedule = this.find(groupName, name);
    if (schedule === undefined)
      throw new SchedulerApiError(404, "ResourceNotFoundException", `Schedule ${name} does not exist.`);
    return schedule;
  }
}

/** An occurrence if it lies before the schedule's EndDate; at() ignores the date range, as on AWS. */
export function withinEndDate(schedule: StoredSchedule, occurrence: number | undefined): number | undefined {
  const end = schedule.request.EndDate;
  if (occurrence === undefined || schedule.expression.kind === "at" || end === undefined) return occurrence;
  return occurrence < end * 1000 ? occurrence : undefined;
}

function parseRequest(body: string): ScheduleRequest {
  let json: unknown;
  try {
    json = JSON.parse(body || "{}");
  } catch {
    throw new SchedulerApiError(400, "ValidationException", "request body is not JSON");
  }
  const parsed = ScheduleRequest.safeParse(json);
  if (!parsed.success) throw new SchedulerApiError(400, "ValidationException", z.prettifyError(parsed.error));
  return parsed.data;
}

function key(groupName: string, name: string): string {
  return `${groupName}/${name}`;
}
