import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { SCHEDULE } from "../../../app/wiring.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { type LocalFunctions, localFunctionArn } from "../../../local/aws/functions.ts";
import { startSchedulerShim } from "../../../local/aws/scheduler-shim.ts";
import { createWorkQueues, startFauxqs } from "../../../local/aws/sqs.ts";
import { manualClock } from "../../helpers/pinned-clock.ts";
import { waitUntil } from "../../helpers/wait-until.ts";

const FRIDAY_NOON_UTC = Date.parse("2026-01-16T12:00:00Z");
const GROUP = "dq-test-schedules";
const ROLE = "arn:aws:iam::000000000000:role/dq-test-scheduler";

describe("Scheduler shim", () => {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(functions: LocalFunctions = {}, extra: { sqs?: SQSClient } = {}) {
    const shim = await startSchedulerShim({ functions, clock: () => FRIDAY_NOON_UTC, ...extra });
    const client = new SchedulerClient(localClientConfig(shim.endpoint));
    cleanups.push(
      () => shim.stop(),
      () => client.destroy(),
    );
    return { shim, client };
  }

  function schedule(name: string, overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput {
    return {
      Name: name,
      GroupName: GROUP,
      ScheduleExpression: SCHEDULE.defaultCron,
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: localFunctionArn("coordinator", "test"), RoleArn: ROLE, Input: '{"type":"daily"}' },
      ...overrides,
    };
  }

  it("creates a schedule that GetSchedule returns as written", async () => {
    const { client } = await start();

    const created = await client.send(new CreateScheduleCommand(schedule("daily", { Description: "the daily run" })));
    const got = await client.send(new GetScheduleCommand({ Name: "daily", GroupName: GROUP }));

    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/${GROUP}/daily`);
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: "daily",
      GroupName: GROUP,
      ScheduleExpression: SCHEDULE.defaultCron,
      ScheduleExpressionTimezone: "UTC",
      State: "ENABLED",
      Description: "the daily run",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: localFunctionArn("coordinator", "test"), RoleArn: ROLE, Input: '{"type":"daily"}' },
    });
    expect(got.CreationDate?.getTime()).toBe(FRIDAY_NOON_UTC);
  });

  it("refuses a second schedule of the same name with ConflictException", async () => {
    const { client } = await start();
    await client.send(new CreateScheduleCommand(schedule("twice")));

    await expect(client.send(new CreateScheduleCommand(schedule("twice")))).rejects.toBeInstanceOf(ConflictException);
  });

  it("rejects an invalid expression with ValidationException", async () => {
    const { client } = await start();

    await expect(
      client.send(new CreateScheduleCommand(schedule("bad", { ScheduleExpression: "cron(30 4 * * * *)" }))),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it("updates a schedule in place", async () => {
    const { client } = await start();
    await client.send(new CreateScheduleCommand(schedule("changing")));

    await client.send(new UpdateScheduleCommand({ ...schedule("changing"), State: "DISABLED" }));

    const got = await client.send(new GetScheduleCommand({ Name: "changing", GroupName: GROUP }));
    expect(got.State).toBe("DISABLED");
  });

  it("deletes a schedule, after which GetSchedule answers ResourceNotFoundException", async () => {
    const { client } = await start();
    await client.send(new CreateScheduleCommand(schedule("gone")));

    await client.send(new DeleteScheduleCommand({ Name: "gone", GroupName: GROUP }));

    await expect(client.send(new GetScheduleCommand({ Name: "gone", GroupName: GROUP }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("lists the schedules of a group, page by page", async () => {
    const { client } = await start();
    for (const name of ["a", "b", "c"]) await client.send(new CreateScheduleCommand(schedule(name)));
    await client.send(new CreateScheduleCommand({ ...schedule("elsewhere"), GroupName: "other" }));

    const first = await client.send(new ListSchedulesCommand({ GroupName: GROUP, MaxResults: 2 }));
    const second = await client.send(
      new ListSchedulesCommand({ GroupName: GROUP, MaxResults: 2, NextToken: first.NextToken }),
    );

    expect(first.Schedules?.map((s) => s.Name)).toEqual(["a", "b"]);
    expect(second.Schedules?.map((s) => s.Name)).toEqual(["c"]);
    expect(second.NextToken).toBeUndefined();
  });

  it("computes a cron schedule's next firing in its time zone", async () => {
    const { shim, client } = await start();

    await client.send(new CreateScheduleCommand(schedule("ny", { ScheduleExpressionTimezone: "America/New_York" })));

    expect(new Date(shim.nextFireTime("ny", GROUP) ?? 0).toISOString()).toBe("2026-01-17T09:30:00.000Z");
  });

  it("fires an at() schedule's function once the clock passes it, then deletes the schedule", async () => {
    const events: unknown[] = [];
    const { shim, client } = await start({ coordinator: async (event) => events.push(event) });
    await client.send(
      new CreateScheduleCommand(
        schedule("resume-s1", {
          ScheduleExpression: "at(2026-01-17T00:05:00)",
          ActionAfterCompletion: "DELETE",
          Target: {
            Arn: localFunctionArn("coordinator", "test"),
            RoleArn: ROLE,
            Input: '{"type":"resume","sessionId":"s1","at":"<aws.scheduler.scheduled-time>"}',
          },
        }),
      ),
    );
    expect(await shim.fireDue()).toEqual([]);

    const fired = await shim.advanceTo(Date.parse("2026-01-17T00:06:00Z"));
    await shim.idle();

    expect(fired).toHaveLength(1);
    expect(events).toEqual([{ type: "resume", sessionId: "s1", at: "2026-01-17T00:05:00Z" }]);
    await expect(client.send(new GetScheduleCommand({ Name: "resume-s1", GroupName: GROUP }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("fires on its own timer once the clock reaches a schedule", async () => {
    const clock = manualClock(FRIDAY_NOON_UTC);
    const events: unknown[] = [];
    const shim = await startSchedulerShim({
      functions: { coordinator: async (event) => events.push(event) },
      clock: clock.now,
      tickMs: 10,
    });
    const client = new SchedulerClient(localClientConfig(shim.endpoint));
    cleanups.push(
      () => shim.stop(),
      () => client.destroy(),
    );
    await client.send(new CreateScheduleCommand(schedule("soon", { ScheduleExpression: "at(2026-01-16T12:00:30)" })));

    clock.advance(30_000);

    await waitUntil(() => events.length === 1);
    expect(events).toEqual([{ type: "daily" }]);
  });

  it("does not fire a disabled schedule", async () => {
    const events: unknown[] = [];
    const { shim, client } = await start({ coordinator: async (event) => events.push(event) });
    await client.send(new CreateScheduleCommand(schedule("off", { State: "DISABLED" })));

    await shim.advanceTo(Date.parse("2026-01-18T00:00:00Z"));
    await shim.idle();

    expect(events).toEqual([]);
  });

  it("fires a cron schedule once for a jump over one occurrence, and moves to the next", async () => {
    const events: unknown[] = [];
    const { shim, client } = await start({ coordinator: async (event) => events.push(event) });
    await client.send(new CreateScheduleCommand(schedule("daily")));

    const fired = await shim.advanceTo(Date.parse("2026-01-17T05:00:00Z"));
    await shim.idle();

    expect(fired.map((f) => f.scheduledTime)).toEqual(["2026-01-17T04:30:00Z"]);
    expect(events).toEqual([{ type: "daily" }]);
    expect(new Date(shim.nextFireTime("daily", GROUP) ?? 0).toISOString()).toBe("2026-01-20T04:30:00.000Z");
  });

  it("sends an SQS target's Input to the queue", async () => {
    const fauxqs = await startFauxqs();
    const sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
    cleanups.push(
      () => fauxqs.stop(),
      () => sqs.destroy(),
    );
    const queues = await createWorkQueues(sqs, { queue: "dq-test-work", deadLetterQueue: "dq-test-work-dlq" });
    const { shim, client } = await start({}, { sqs });
    await client.send(
      new CreateScheduleCommand(
        schedule("pump", {
          ScheduleExpression: "at(2026-01-16T12:01:00)",
          Target: { Arn: queues.queueArn, RoleArn: ROLE, Input: '{"type":"pump","sessionId":"s1"}' },
        }),
      ),
    );

    const [fired] = await shim.advanceTo(Date.parse("2026-01-16T12:01:00Z"));

    expect(fired).toMatchObject({ kind: "sqs", ok: true });
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl }));
    expect(Messages?.[0]?.Body).toBe('{"type":"pump","sessionId":"s1"}');
  });

  it("records a failed firing for a function nobody registered", async () => {
    const { shim, client } = await start({});
    await client.send(new CreateScheduleCommand(schedule("orphan", { ScheduleExpression: "rate(1 minute)" })));

    const [fired] = await shim.advanceTo(FRIDAY_NOON_UTC + 60_000);

    expect(fired).toMatchObject({ kind: "lambda", ok: false });
  });
});
