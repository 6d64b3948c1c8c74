import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import type { Profile } from "../app/config/profile.ts";
import { deepCheckSchedule, deepCheckScheduleName } from "../app/config/profile-settings.ts";
import { type resourceNames, SCHEDULE } from "../app/wiring.ts";
import { localClientConfig } from "./aws/env.ts";
import { localFunctionArn } from "./aws/functions.ts";

export interface LocalSchedulesOptions {
  names: ReturnType<typeof resourceNames>;
  stack: string;
  /** The Scheduler shim's endpoint. */
  endpoint: string;
  /** The profile in force: its deep check, if any, gets a schedule of its own. */
  profile: Profile;
}

/**
 * The schedules infra creates (infra/schedule.ts), in the Scheduler shim, whose crons then fire on the stack's
 * clock: the daily start, so `/dq schedule` has the same thing to read and change locally, and the weekly deep
 * check when the profile has one. Returns the names of the schedules created.
 */
export async function createLocalSchedules(options: LocalSchedulesOptions): Promise<string[]> {
  const { names, stack } = options;
  const client = new SchedulerClient(localClientConfig(options.endpoint));
  const create = (name: string, description: string, expression: string, timezone: string, input: unknown) =>
    client.send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: names.scheduleGroup,
        Description: description,
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: timezone,
        FlexibleTimeWindow: { Mode: "OFF" },
        State: "ENABLED",
        Target: {
          Arn: localFunctionArn("coordinator", stack),
          RoleArn: `arn:aws:iam::000000000000:role/${names.scheduleGroup}`,
          Input: JSON.stringify(input),
        },
      }),
    );
  try {
    await create(
      names.dailySchedule,
      "Starts the daily data-quality session",
      SCHEDULE.defaultCron,
      SCHEDULE.defaultTimezone,
      SCHEDULE.dailyInput,
    );
    const deep = deepCheckSchedule(options.profile);
    if (deep === undefined) return [names.dailySchedule];
    const name = deepCheckScheduleName(stack);
    // deepCheckSchedule's cron is written in UTC, as infra deploys it.
    await create(name, "Starts the weekly deep check", deep.cron, "UTC", deep.input);
    return [names.dailySchedule, name];
  } finally {
    client.destroy();
  }
}
