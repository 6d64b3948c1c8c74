import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  atExpression,
  ResumeScheduleError,
  SchedulerResume,
} from "../../../app/adapters/scheduler/resume-scheduler.ts";
import { parseWorkMessage } from "../../../app/adapters/sqs/work-message.ts";
import { SCHEDULE } from "../../../app/wiring.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import type { LoopbackServer } from "../../../local/aws/http-server.ts";
import { type SchedulerShim, startSchedulerShim } from "../../../local/aws/scheduler-shim.ts";
import { createWorkQueues, startFauxqs, type WorkQueues } from "../../../local/aws/sqs.ts";

const GROUP = "dq-test-schedules";
const NOW = Date.parse("2025-03-04T22:10:00Z");
const MIDNIGHT = new Date("2025-03-05T00:00:00Z");

describe("SchedulerResume", () => {
  let fauxqs: LoopbackServer;
  let sqs: SQSClient;
  let queues: WorkQueues;
  let shim: SchedulerShim;
  let client: SchedulerClient;
  let resume: SchedulerResume;

  beforeAll(async () => {
    fauxqs = await startFauxqs();
    sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
    queues = await createWorkQueues(sqs, { queue: "resume-work", deadLetterQueue: "resume-dlq" });
    shim = await startSchedulerShim({ functions: {}, sqs, clock: () => NOW, tickMs: 60_000 });
    client = new SchedulerClient({ ...localClientConfig(shim.endpoint), maxAttempts: 1 });
    resume = new SchedulerResume({
      client,
      groupName: GROUP,
      queueArn: queues.queueArn,
      roleArn: "arn:aws:iam::000000000000:role/dq-test-scheduler",
    });
  });

  afterAll(async () => {
    client.destroy();
    await shim.stop();
    sqs.destroy();
    await fauxqs.stop();
  });

  it("writes a one-time UTC expression, rounded up to the second", () => {
    expect(atExpression(new Date("2025-03-05T00:00:00.000Z"))).toBe("at(2025-03-05T00:00:00)");
    expect(atExpression(new Date("2025-03-04T23:59:59.001Z"))).toBe("at(2025-03-05T00:00:00)");
  });

  it("schedules the resume at the given time, in the group", async () => {
    await resume.scheduleResume("s1", MIDNIGHT);

    expect(shim.nextFireTime("resume-s1", GROUP)).toBe(MIDNIGHT.getTime());
  });

  it("accepts the same resume twice", async () => {
    await resume.scheduleResume("s2", MIDNIGHT);

    await expect(resume.scheduleResume("s2", MIDNIGHT)).resolves.toBeUndefined();
    expect(shim.nextFireTime("resume-s2", GROUP)).toBe(MIDNIGHT.getTime());
  });

  it("puts a pump message for the session on the work queue when it fires, then is gone", async () => {
    const at = new Date(NOW + 60_000);
    await resume.scheduleResume("s3", at);

    await shim.advanceTo(at.getTime());

    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl }));
    expect(Messages?.map((m) => parseWorkMessage(m.Body ?? ""))).toEqual([{ type: "pump", sessionId: "s3" }]);
    expect(shim.nextFireTime("resume-s3", GROUP)).toBeUndefined();
  });

  it("retries an undeliverable resume, then dead-letters it instead of dropping it", async () => {
    const withDeadLetters = new SchedulerResume({
      client,
      groupName: GROUP,
      queueArn: queues.queueArn,
      roleArn: "arn:aws:iam::000000000000:role/dq-test-scheduler",
      deadLetterArn: queues.deadLetterQueueArn,
    });

    await withDeadLetters.scheduleResume("s5", MIDNIGHT);

    const { Target } = await client.send(new GetScheduleCommand({ Name: "resume-s5", GroupName: GROUP }));
    expect(Target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: SCHEDULE.retryAttempts,
      MaximumEventAgeInSeconds: SCHEDULE.maxEventAgeSeconds,
    });
    expect(Target?.DeadLetterConfig).toEqual({ Arn: queues.deadLetterQueueArn });
  });

  it("cancels a scheduled resume", async () => {
    await resume.scheduleResume("s4", MIDNIGHT);

    await resume.cancelResume("s4");

    expect(shim.nextFireTime("resume-s4", GROUP)).toBeUndefined();
  });

  it("cancels a resume that does not exist without complaint", async () => {
    await expect(resume.cancelResume("never-scheduled")).resolves.toBeUndefined();
  });

  it("throws a ResumeScheduleError naming the schedule when the Scheduler refuses", async () => {
    const error = await resume.scheduleResume("bad id with spaces", MIDNIGHT).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResumeScheduleError);
    expect(error).toMatchObject({ scheduleName: "resume-bad id with spaces", groupName: GROUP });
  });
});
