import { beforeAll, describe, expect, it } from "vitest";
import { SCHEDULE } from "../../app/wiring.ts";
import { ACCOUNT, type BuiltStack, buildStack, REGION } from "./pulumi-mocks.ts";

const SCHEDULE_TYPE = "aws:scheduler/schedule:Schedule";

describe("the daily schedule", () => {
  let dev: BuiltStack;
  let custom: BuiltStack;
  beforeAll(async () => {
    dev = await buildStack("dev");
    custom = await buildStack("custom", {
      scheduleCron: "cron(15 22 ? * MON-FRI *)",
      scheduleTimezone: "America/New_York",
      scheduleEnabled: "false",
    });
  });

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
