import { LambdaClient } from "@aws-sdk/client-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { LambdaSessionStarter, SessionStartError } from "../../../app/adapters/lambda/session-starter.ts";
import { LambdaSlackJobQueue, SlackHandOffError } from "../../../app/adapters/lambda/slack-jobs.ts";
import { SLACK_JOB_KEY, type SlackJob } from "../../../app/slack/jobs.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import { localFunctionArn } from "../../../local/aws/functions.ts";
import { type LambdaShim, startLambdaShim } from "../../../local/aws/lambda-shim.ts";

let shim: LambdaShim | undefined;
afterEach(async () => {
  await shim?.stop();
  shim = undefined;
});

const INPUT = {
  symbols: ["AAPL", "MSFT"],
  lookbackDays: 5,
  startedBy: { kind: "slack" as const, user: "U0ALICE", channel: "C0OPS" },
  idempotencyKey: "slack:trig-1",
  slack: { channel: "C0OPS", ts: "1768537800.000100" },
};

function starter(functionName = localFunctionArn("coordinator", "test"), timeoutMs?: number) {
  return new LambdaSessionStarter({
    client: new LambdaClient({ ...localClientConfig((shim as LambdaShim).endpoint), maxAttempts: 1 }),
    functionName,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

describe("LambdaSessionStarter", () => {
  it("invokes the coordinator and answers with the session it started", async () => {
    const received: unknown[] = [];
    shim = await startLambdaShim({
      functions: {
        coordinator: async (event) => {
          received.push(event);
          return {
            status: "initiated",
            sessionId: "s-1",
            correlationId: "s-1",
            totalSymbols: 2,
            totalBatches: 1,
            estimatedDurationMinutes: 0.1,
          };
        },
      },
    });

    const outcome = await starter().start(INPUT);

    expect(outcome).toEqual({ status: "initiated", sessionId: "s-1", totalSymbols: 2, estimatedDurationMinutes: 0.1 });
    expect(received).toEqual([INPUT]);
  });

  it("passes the coordinator's rejection on with its reason", async () => {
    shim = await startLambdaShim({
      functions: { coordinator: async () => ({ status: "rejected", error: "bad start request: symbols: too many" }) },
    });

    expect(await starter().start(INPUT)).toEqual({
      status: "rejected",
      reason: "bad start request: symbols: too many",
    });
  });

  it("answers pending when the coordinator takes longer than it waits", async () => {
    shim = await startLambdaShim({
      functions: {
        coordinator: async () => {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          return { status: "initiated" };
        },
      },
    });

    expect(await starter(undefined, 200).start(INPUT)).toEqual({ status: "pending" });
  });

  it("says what to do, and nothing internal, when the coordinator fails or cannot be found", async () => {
    shim = await startLambdaShim({
      functions: {
        coordinator: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'items')");
        },
      },
    });

    const failed = starter().start(INPUT);
    const missing = starter("dq-test-nowhere").start(INPUT);

    await expect(failed).rejects.toBeInstanceOf(SessionStartError);
    await expect(failed).rejects.toThrow(/coordinator failed, so the session may not have started\. Try again/);
    await expect(failed).rejects.not.toThrow(/Cannot read/);
    await expect(missing).rejects.toThrow(/coordinator was not found/);
    await expect(missing).rejects.not.toThrow(/dq-test-nowhere/);
    await expect(missing).rejects.toMatchObject({ functionName: "dq-test-nowhere" });
  });
});

describe("LambdaSlackJobQueue", () => {
  const JOB: SlackJob = {
    kind: "command",
    text: "status",
    userId: "U0ALICE",
    channelId: "C0OPS",
    triggerId: "trig-1",
    responseUrl: "https://hooks.slack.com/commands/T0001/1/abc",
    acknowledgedAt: 1_768_537_800_000,
  };

  it("returns once the Slack function's own invocation is queued, before the job runs", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const received: unknown[] = [];
    shim = await startLambdaShim({
      functions: {
        slack: async (event) => {
          await held;
          received.push(event);
          return { job: "done" };
        },
      },
    });
    const jobs = new LambdaSlackJobQueue({
      client: new LambdaClient(localClientConfig(shim.endpoint)),
      functionName: localFunctionArn("slack", "test"),
    });

    await jobs.handOff(JOB);

    expect(received).toEqual([]);
    release();
    await shim.idle();
    expect(received).toEqual([{ [SLACK_JOB_KEY]: JOB }]);
  });

  it("fails the hand-off when the function cannot be invoked", async () => {
    shim = await startLambdaShim({ functions: {} });
    const jobs = new LambdaSlackJobQueue({
      client: new LambdaClient({ ...localClientConfig(shim.endpoint), maxAttempts: 1 }),
      functionName: "dq-test-slack",
    });

    await expect(jobs.handOff(JOB)).rejects.toBeInstanceOf(SlackHandOffError);
  });
});
