import { CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe } from "vitest";
import { resumeScheduleName, SchedulerResume } from "../../../app/adapters/scheduler/resume-scheduler.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import type { LoopbackServer } from "../../../local/aws/http-server.ts";
import { type SchedulerShim, startSchedulerShim } from "../../../local/aws/scheduler-shim.ts";
import { createWorkQueues, startFauxqs } from "../../../local/aws/sqs.ts";
import { resumeSchedulerContract } from "../../contracts/resume-scheduler.contract.ts";
import { type RunningMoto, startMoto } from "../../helpers/moto-server.ts";

const NOW = Date.parse("2025-03-04T22:10:00Z");
const ROLE = "arn:aws:iam::000000000000:role/dq-test-scheduler";
const QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:contract-work";

describe("SchedulerResume on the Scheduler shim", () => {
  let fauxqs: LoopbackServer;
  let sqs: SQSClient;
  let shim: SchedulerShim;
  let client: SchedulerClient;
  let groups = 0;

  beforeAll(async () => {
    fauxqs = await startFauxqs();
    sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
    await createWorkQueues(sqs, { queue: "contract-work", deadLetterQueue: "contract-dlq" });
    shim = await startSchedulerShim({ functions: {}, sqs, clock: () => NOW, tickMs: 60_000 });
    client = new SchedulerClient({ ...localClientConfig(shim.endpoint), maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await shim.stop();
    sqs.destroy();
    await fauxqs.stop();
  });

  resumeSchedulerContract(async () => {
    const groupName = `contract-${++groups}`;
    return {
      scheduler: new SchedulerResume({ client, groupName, queueArn: QUEUE_ARN, roleArn: ROLE }),
      scheduledAt: async (sessionId) => shim.nextFireTime(resumeScheduleName(sessionId), groupName),
    };
  });
});

describe(`SchedulerResume on moto_server`, () => {
  let moto: RunningMoto;
  let client: SchedulerClient;
  let groups = 0;

  beforeAll(async () => {
    moto = await startMoto();
    client = new SchedulerClient({ ...localClientConfig(moto.endpoint), maxAttempts: 1 });
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  resumeSchedulerContract(async () => {
    const groupName = `contract-${++groups}`;
    await client.send(new CreateScheduleGroupCommand({ Name: groupName }));
    return {
      scheduler: new SchedulerResume({ client, groupName, queueArn: QUEUE_ARN, roleArn: ROLE }),
      async scheduledAt(sessionId) {
        try {
          const out = await client.send(
            new GetScheduleCommand({ Name: resumeScheduleName(sessionId), GroupName: groupName }),
          );
          const at = /^at\((.+)\)$/.exec(out.ScheduleExpression ?? "")?.[1];
          return at === undefined ? undefined : Date.parse(`${at}Z`);
        } catch (error) {
          if (error instanceof Error && error.name === "ResourceNotFoundException") return undefined;
          throw error;
        }
      },
    };
  });
});
