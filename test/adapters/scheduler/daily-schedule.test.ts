import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { afterEach, describe, expect, it } from "vitest";
import {
  DailyScheduleError,
  describeCron,
  SchedulerDailySchedule,
  withTimeOfDay,
} from "../../../app/adapters/scheduler/daily-schedule.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { localFunctionArn } from "../../../local/aws/functions.ts";
import { type SchedulerShim, startSchedulerShim } from "../../../local/aws/scheduler-shim.ts";

const GROUP = "dq-test-schedules";
const NAME = "dq-test-daily";
/** The shim's clock: a Friday noon, so the schedule's next firing never depends on the real date. */
const FRIDAY_NOON_UTC = Date.parse("2026-01-16T12:00:00Z");

let shim: SchedulerShim | undefined;
afterEach(async () => {
  await shim?.stop();
  shim = undefined;
});

async function withDailySchedule() {
  shim = await startSchedulerShim({
    functions: { coordinator: async () => ({}) },
    clock: () => FRIDAY_NOON_UTC,
    tickMs: 60_000,
  });
  const client = new SchedulerClient(localClientConfig(shim.endpoint));
  await client.send(
    new CreateScheduleCommand({
      Name: NAME,
      GroupName: GROUP,
      Description: "Starts the daily data-quality session",
      ScheduleExpression: "cron(30 4 ? * TUE-SAT *)",
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Target: {
        Arn: localFunctionArn("coordinator", "test"),
        RoleArn: "arn:aws:iam::000000000000:role/dq-test-scheduler",
        Input: JSON.stringify({ startedBy: { kind: "schedule" }, idempotencyKey: "<aws.scheduler.scheduled-time>" }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      },
    }),
  );
  const schedule = new SchedulerDailySchedule({ client, name: NAME, groupName: GROUP });
  const read = () => client.send(new GetScheduleCommand({ Name: NAME, GroupName: GROUP }));
  return { schedule, read, client };
}

describe("SchedulerDailySchedule", () => {
  it("shows the time, days, time zone and state", async () => {
    const { schedule } = await withDailySchedule();

    expect(await schedule.show()).toEqual({
      name: NAME,
      state: "ENABLED",
      expression: "cron(30 4 ? * TUE-SAT *)",
      timezone: "UTC",
      time: "04:30",
      days: "TUE-SAT",
    });
  });

  it("moves the time of day and the time zone, keeping the days and the whole target", async () => {
    const { schedule, read } = await withDailySchedule();
    const before = await read();

    const info = await schedule.set({ hour: 5, minute: 15, timezone: "Europe/London" });

    const after = await read();
    expect(info).toMatchObject({ time: "05:15", timezone: "Europe/London", days: "TUE-SAT" });
    expect(after.ScheduleExpression).toBe("cron(15 5 ? * TUE-SAT *)");
    expect(after.ScheduleExpressionTimezone).toBe("Europe/London");
    expect(after.Target).toEqual(before.Target);
    expect(after.Description).toBe(before.Description);
    expect(after.State).toBe("ENABLED");
  });

  it("keeps the time zone when none is given", async () => {
    const { schedule, read } = await withDailySchedule();

    await schedule.set({ hour: 6, minute: 0 });

    expect((await read()).ScheduleExpressionTimezone).toBe("UTC");
  });

  it("pauses and resumes without touching the expression", async () => {
    const { schedule, read } = await withDailySchedule();

    await schedule.pause();
    const paused = await read();
    await schedule.resume();
    const resumed = await read();

    expect(paused.State).toBe("DISABLED");
    expect(resumed.State).toBe("ENABLED");
    expect(resumed.ScheduleExpression).toBe("cron(30 4 ? * TUE-SAT *)");
  });

  it("pauses and resumes the weekly deep check with it, and leaves out one that does not exist", async () => {
    const { client, read } = await withDailySchedule();
    const daily = await read();
    await client.send(
      new CreateScheduleCommand({
        Name: "dq-test-deep-check",
        GroupName: GROUP,
        ScheduleExpression: "cron(30 4 ? * SUN *)",
        ScheduleExpressionTimezone: "UTC",
        FlexibleTimeWindow: { Mode: "OFF" },
        State: "ENABLED",
        Target: { ...(daily.Target as { Arn: string; RoleArn: string }), Input: '{"lookbackDays":366}' },
      }),
    );
    const schedule = new SchedulerDailySchedule({
      client,
      name: NAME,
      groupName: GROUP,
      alongside: ["dq-test-deep-check", "dq-test-not-there"],
    });
    const deep = () => client.send(new GetScheduleCommand({ Name: "dq-test-deep-check", GroupName: GROUP }));

    const paused = await schedule.pause();
    const deepPaused = await deep();
    const resumed = await schedule.resume();

    expect(paused.alongside).toEqual([{ name: "dq-test-deep-check", state: "DISABLED" }]);
    expect(deepPaused.State).toBe("DISABLED");
    expect(deepPaused.ScheduleExpression).toBe("cron(30 4 ? * SUN *)");
    expect(deepPaused.Target?.Input).toBe('{"lookbackDays":366}');
    expect(resumed.alongside).toEqual([{ name: "dq-test-deep-check", state: "ENABLED" }]);
    expect((await deep()).State).toBe("ENABLED");
  });

  it("names the schedule when it does not exist", async () => {
    const { client } = await withDailySchedule();
    const missing = new SchedulerDailySchedule({ client, name: "dq-test-nope", groupName: GROUP });

    const shown = missing.show();

    await expect(shown).rejects.toBeInstanceOf(DailyScheduleError);
    await expect(shown).rejects.toThrow(/dq-test-schedules\/dq-test-nope.*ResourceNotFoundException/);
  });
});

describe("daily cron helpers", () => {
  it("reads the time and days of a daily cron", () => {
    expect(describeCron("cron(5 21 ? * MON-FRI *)")).toEqual({ time: "21:05", days: "MON-FRI" });
    expect(describeCron("cron(0/15 * ? * * *)")).toEqual({ days: "*" });
    expect(describeCron("rate(1 day)")).toEqual({});
  });

  it("replaces only the minute and hour", () => {
    expect(withTimeOfDay("cron(30 4 ? * TUE-SAT *)", 23, 59)).toBe("cron(59 23 ? * TUE-SAT *)");
  });
});
