import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SCHEDULE } from "../../app/wiring.ts";
import { ACCOUNT, type BuiltStack, buildStack, MockAccount, REGION } from "./pulumi-mocks.ts";

const SCHEDULE_TYPE = "aws:scheduler/schedule:Schedule";

/** A project directory whose dq.config.yaml is `profile`. */
function projectWithProfile(profile: string): string {
  const dir = mkdtempSync(join(tmpdir(), "dq-project-"));
  writeFileSync(join(dir, "dq.config.yaml"), profile);
  return dir;
}

let dev: BuiltStack;
let custom: BuiltStack;
let deep: BuiltStack;
beforeAll(async () => {
  dev = await buildStack("dev");
  // Its daily schedule is in New York time and disabled; its profile has a deep check on Wednesdays.
  custom = await buildStack(
    "custom",
    {
      scheduleCron: "cron(15 22 ? * MON-FRI *)",
      scheduleTimezone: "America/New_York",
      scheduleEnabled: "false",
    },
    new MockAccount(),
    projectWithProfile("deepCheck:\n  weekday: wednesday\n  lookbackDays: 200\n"),
  );
  deep = await buildStack("deep", {}, new MockAccount(), projectWithProfile("deepCheck: {}\n"));
});

describe("the daily schedule", () => {
  it("runs at 04:30 UTC Tuesday to Saturday by default, in dq's own group", () => {
    const schedule = dev.mocks.one(SCHEDULE_TYPE, "dq-dev-daily").inputs;

    expect(schedule).toMatchObject({
      name: "dq-dev-daily",
      groupName: "dq-dev-schedules",
      scheduleExpression: "cron(30 4 ? * TUE-SAT *)",
      scheduleExpressionTimezone: "UTC",
      state: "ENABLED",
    });
  });

  it("follows the configured expression, time zone and state", () => {
    const schedule = custom.mocks.one(SCHEDULE_TYPE, "dq-custom-daily").inputs;

    expect(schedule).toMatchObject({
      scheduleExpression: "cron(15 22 ? * MON-FRI *)",
      scheduleExpressionTimezone: "America/New_York",
      state: "DISABLED",
    });
  });

  it("leaves its state, expression and time zone to operators once it exists, so pulumi up never reverts them", () => {
    expect(dev.mocks.one(SCHEDULE_TYPE, "dq-dev-daily").options.ignoreChanges.sort()).toEqual([
      "scheduleExpression",
      "scheduleExpressionTimezone",
      "state",
    ]);
  });

  it("fires at the exact time, without a flexible window", () => {
    expect(dev.mocks.one(SCHEDULE_TYPE, "dq-dev-daily").inputs.flexibleTimeWindow).toEqual({ mode: "OFF" });
  });

  it("invokes the coordinator with retries and a dead-letter queue", () => {
    const target = dev.mocks.one(SCHEDULE_TYPE, "dq-dev-daily").inputs.target as Record<string, unknown>;

    expect(target).toMatchObject({
      arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:dq-dev-coordinator`,
      roleArn: expect.stringContaining(":role/dq-dev-schedules-role"),
      retryPolicy: {
        maximumRetryAttempts: SCHEDULE.retryAttempts,
        maximumEventAgeInSeconds: SCHEDULE.maxEventAgeSeconds,
      },
      deadLetterConfig: { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dq-dev-start-dlq` },
    });
  });

  it("keys the start on the scheduled time, so a retried invocation cannot start a second session", () => {
    const target = dev.mocks.one(SCHEDULE_TYPE, "dq-dev-daily").inputs.target as { input: string };

    expect(JSON.parse(target.input)).toEqual({
      startedBy: { kind: "schedule" },
      idempotencyKey: "<aws.scheduler.scheduled-time>",
    });
  });

  it("lets only schedules of dq's group, in this account, assume the scheduler role", () => {
    const role = dev.mocks.one("aws:iam/role:Role", "dq-dev-schedules-role").inputs;

    expect(JSON.parse(String(role.assumeRolePolicy)).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: {
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/dq-dev-schedules`,
          },
        },
      },
    ]);
  });

  it("lets the scheduler role start the coordinator, resume through the work queue and dead-letter", () => {
    const statements = dev.mocks.policy("dq-dev-daily-policy");

    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      [["lambda:InvokeFunction"], [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:dq-dev-coordinator`]],
      [["sqs:SendMessage"], [`arn:aws:sqs:${REGION}:${ACCOUNT}:dq-dev-work`]],
      [["sqs:SendMessage"], [`arn:aws:sqs:${REGION}:${ACCOUNT}:dq-dev-start-dlq`]],
    ]);
  });

  it("sends coordinator runs that fail for good to the start dead-letter queue", () => {
    const config = dev.mocks
      .ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
      .filter((c) => c.inputs.functionName === "dq-dev-coordinator");

    expect(config.map((c) => c.inputs)).toEqual([
      {
        functionName: "dq-dev-coordinator",
        maximumRetryAttempts: SCHEDULE.retryAttempts,
        maximumEventAgeInSeconds: SCHEDULE.maxEventAgeSeconds,
        destinationConfig: { onFailure: { destination: `arn:aws:sqs:${REGION}:${ACCOUNT}:dq-dev-start-dlq` } },
      },
    ]);
  });
});

describe("the weekly deep-check schedule", () => {
  it("is absent when the profile has no deep check", () => {
    expect(dev.mocks.ofType(SCHEDULE_TYPE).map((s) => s.name)).toEqual(["dq-dev-daily"]);
  });

  it("runs beside the daily one, at 04:30 UTC on the profile's weekday (Sunday by default, a day without a daily run)", () => {
    expect(deep.mocks.one(SCHEDULE_TYPE, "dq-deep-deep-check").inputs).toMatchObject({
      name: "dq-deep-deep-check",
      groupName: "dq-deep-schedules",
      scheduleExpression: "cron(30 4 ? * SUN *)",
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
    });
    // The cron is written in UTC, whatever the daily schedule's zone; its state starts as the daily one's.
    expect(custom.mocks.one(SCHEDULE_TYPE, "dq-custom-deep-check").inputs).toMatchObject({
      scheduleExpression: "cron(30 4 ? * WED *)",
      scheduleExpressionTimezone: "UTC",
      state: "DISABLED",
    });
  });

  it("sends the coordinator the deep lookback under an idempotency key of its own", () => {
    const input = (stack: BuiltStack, name: string) =>
      JSON.parse((stack.mocks.one(SCHEDULE_TYPE, name).inputs.target as { input: string }).input);

    expect(input(deep, "dq-deep-deep-check")).toEqual({
      startedBy: { kind: "schedule" },
      lookbackDays: 366,
      idempotencyKey: "deep-<aws.scheduler.scheduled-time>",
    });
    expect(input(custom, "dq-custom-deep-check")).toMatchObject({ lookbackDays: 200 });
  });

  it("invokes the coordinator as the daily one does: its role, retries and dead-letter queue", () => {
    const target = (name: string) => {
      const { input, ...rest } = deep.mocks.one(SCHEDULE_TYPE, name).inputs.target as Record<string, unknown>;
      return rest;
    };

    expect(target("dq-deep-deep-check")).toEqual(target("dq-deep-daily"));
    expect(target("dq-deep-deep-check")).toMatchObject({
      arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:dq-deep-coordinator`,
      retryPolicy: {
        maximumRetryAttempts: SCHEDULE.retryAttempts,
        maximumEventAgeInSeconds: SCHEDULE.maxEventAgeSeconds,
      },
      deadLetterConfig: { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:dq-deep-start-dlq` },
    });
  });

  it("leaves its state to operators once it exists; its time and input follow the profile", () => {
    expect(deep.mocks.one(SCHEDULE_TYPE, "dq-deep-deep-check").options.ignoreChanges).toEqual(["state"]);
  });

  it("adds no second asynchronous-invocation config to the coordinator (a function has one)", () => {
    const configs = deep.mocks
      .ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
      .filter((c) => c.inputs.functionName === "dq-deep-coordinator");

    expect(configs).toHaveLength(1);
  });
});
