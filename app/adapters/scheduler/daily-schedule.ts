import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { UserFacingError } from "../../domain/errors.ts";
import type { DailySchedule, DailyScheduleInfo } from "../../slack/ports.ts";

export interface SchedulerDailyScheduleOptions {
  client: SchedulerClient;
  /** The daily schedule's name (resourceNames(stack).dailySchedule). */
  name: string;
  /** The stack's schedule group. */
  groupName: string;
  /**
   * Schedules paused and resumed with it (the weekly deep check): an operator who pauses "the schedule" expects no
   * session to start. One that does not exist (a profile without a deep check) is left out.
   */
  alongside?: readonly string[];
}

/** The daily schedule could not be read or changed. Names the schedule and the action. */
export class DailyScheduleError extends UserFacingError {
  override name = "DailyScheduleError";
  readonly scheduleName: string;
  readonly groupName: string;
  constructor(action: string, scheduleName: string, groupName: string, reason: string, options?: ErrorOptions) {
    super(`cannot ${action} the daily schedule ${groupName}/${scheduleName}: ${reason}`, options);
    this.scheduleName = scheduleName;
    this.groupName = groupName;
  }
}

/** `cron(M H ? * DAYS *)`, the shape dq's daily schedule has. */
const DAILY_CRON = /^cron\(\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*\)$/;

/** The HH:MM and days of a daily cron, when minute and hour are single numbers. */
export function describeCron(expression: string): { time?: string; days?: string } {
  const match = expression.match(DAILY_CRON);
  if (!match) return {};
  const [, minute, hour, , , days] = match as unknown as [string, string, string, string, string, string];
  const time =
    /^\d{1,2}$/.test(minute) && /^\d{1,2}$/.test(hour)
      ? `${hour.padStart(2, "0")}:${minute.padStart(2, "0")}`
      : undefined;
  return { ...(time ? { time } : {}), days };
}

/** The cron with its minute and hour replaced; day-of-month, month, day-of-week and year are kept. */
export function withTimeOfDay(expression: string, hour: number, minute: number): string {
  const match = expression.match(DAILY_CRON);
  if (!match) throw new RangeError(`not a cron expression: ${expression}`);
  const [, , , dayOfMonth, month, dayOfWeek, year] = match;
  return `cron(${minute} ${hour} ${dayOfMonth} ${month} ${dayOfWeek} ${year})`;
}

/**
 * The daily start on EventBridge Scheduler (or the local Scheduler shim). UpdateSchedule replaces the whole
 * definition, so every change reads the schedule first and writes it back complete, changing one thing.
 */
export class SchedulerDailySchedule implements DailySchedule {
  readonly #client: SchedulerClient;
  readonly #name: string;
  readonly #group: string;
  readonly #alongside: readonly string[];

  constructor(options: SchedulerDailyScheduleOptions) {
    this.#client = options.client;
    this.#name = options.name;
    this.#group = options.groupName;
    this.#alongside = options.alongside ?? [];
  }

  async show(): Promise<DailyScheduleInfo> {
    return this.#info(await this.#get("read"));
  }

  pause(): Promise<DailyScheduleInfo> {
    return this.#setState("pause", "DISABLED");
  }

  resume(): Promise<DailyScheduleInfo> {
    return this.#setState("resume", "ENABLED");
  }

  async #setState(action: string, State: "ENABLED" | "DISABLED"): Promise<DailyScheduleInfo> {
    const info = await this.#change(action, (current) => ({ State, ScheduleExpression: current.ScheduleExpression }));
    const alongside: { name: string; state: "ENABLED" | "DISABLED" }[] = [];
    for (const name of this.#alongside) {
      const current = await this.#get(action, name, { missingOk: true });
      if (!current) continue;
      await this.#write(action, name, current, { State });
      alongside.push({ name, state: State });
    }
    return alongside.length > 0 ? { ...info, alongside } : info;
  }

  set(time: { hour: number; minute: number; timezone?: string }): Promise<DailyScheduleInfo> {
    return this.#change("set", (current) => {
      const expression = current.ScheduleExpression ?? "";
      if (!DAILY_CRON.test(expression))
        throw new DailyScheduleError(
          "set",
          this.#name,
          this.#group,
          `its expression ${expression} is not a cron; change it with Pulumi`,
        );
      return {
        ScheduleExpression: withTimeOfDay(expression, time.hour, time.minute),
        ...(time.timezone ? { ScheduleExpressionTimezone: time.timezone } : {}),
      };
    });
  }

  async #change(
    action: string,
    edit: (current: GetScheduleCommandOutput) => {
      State?: "ENABLED" | "DISABLED";
      ScheduleExpression?: string;
      ScheduleExpressionTimezone?: string;
    },
  ): Promise<DailyScheduleInfo> {
    const current = await this.#get(action);
    const next = await this.#write(action, this.#name, current, edit(current));
    return this.#info({ ...current, ...next });
  }

  /** UpdateSchedule with the whole definition read in `current`, changed by `changes`. */
  async #write(
    action: string,
    name: string,
    current: GetScheduleCommandOutput,
    changes: { State?: "ENABLED" | "DISABLED"; ScheduleExpression?: string; ScheduleExpressionTimezone?: string },
  ) {
    const next = {
      Name: name,
      GroupName: this.#group,
      ScheduleExpression: changes.ScheduleExpression ?? current.ScheduleExpression,
      ScheduleExpressionTimezone: changes.ScheduleExpressionTimezone ?? current.ScheduleExpressionTimezone,
      State: changes.State ?? current.State,
      Description: current.Description,
      StartDate: current.StartDate,
      EndDate: current.EndDate,
      KmsKeyArn: current.KmsKeyArn,
      Target: current.Target,
      FlexibleTimeWindow: current.FlexibleTimeWindow,
      ActionAfterCompletion: current.ActionAfterCompletion,
    };
    try {
      await this.#client.send(new UpdateScheduleCommand(next));
    } catch (error) {
      throw new DailyScheduleError(action, name, this.#group, reasonOf(error), { cause: error });
    }
    return next;
  }

  async #get(action: string): Promise<GetScheduleCommandOutput>;
  async #get(action: string, name: string, options: { missingOk: true }): Promise<GetScheduleCommandOutput | undefined>;
  async #get(
    action: string,
    name = this.#name,
    options: { missingOk?: boolean } = {},
  ): Promise<GetScheduleCommandOutput | undefined> {
    try {
      return await this.#client.send(new GetScheduleCommand({ Name: name, GroupName: this.#group }));
    } catch (error) {
      if (options.missingOk && (error as Error).name === "ResourceNotFoundException") return undefined;
      throw new DailyScheduleError(action, name, this.#group, reasonOf(error), { cause: error });
    }
  }

  #info(
    schedule: Pick<GetScheduleCommandOutput, "ScheduleExpression" | "ScheduleExpressionTimezone" | "State">,
  ): DailyScheduleInfo {
    const expression = schedule.ScheduleExpression ?? "";
    return {
      name: this.#name,
      state: schedule.State === "DISABLED" ? "DISABLED" : "ENABLED",
      expression,
      timezone: schedule.ScheduleExpressionTimezone ?? "UTC",
      ...describeCron(expression),
    };
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
