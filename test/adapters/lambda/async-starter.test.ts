import { LambdaClient } from "@aws-sdk/client-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { LambdaSessionStarter, SessionStartError } from "../../../app/adapters/lambda/async-starter.ts";
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

describe("LambdaSessionStarter", () => {
  it("returns once the coordinator's invocation is queued, before the session is started", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const received: unknown[] = [];
    let finished = false;
    shim = await startLambdaShim({
      functions: {
        coordinator: async (event) => {
          received.push(event);
          await held;
          finished = true;
          return { status: "initiated" };
        },
      },
    });
    const starter = new LambdaSessionStarter({
      client: new LambdaClient(localClientConfig(shim.endpoint)),
      functionName: localFunctionArn("coordinator", "test"),
    });

    await starter.start(INPUT);

    expect(finished).toBe(false);
    release();
    await shim.idle();
    expect(finished).toBe(true);
    expect(received).toEqual([INPUT]);
  });

  it("names the function when the invocation is refused", async () => {
    shim = await startLambdaShim({ functions: {} });
    const starter = new LambdaSessionStarter({
      client: new LambdaClient(localClientConfig(shim.endpoint)),
      functionName: "dq-test-coordinator",
    });

    const started = starter.start(INPUT);

    await expect(started).rejects.toBeInstanceOf(SessionStartError);
    await expect(started).rejects.toThrow(/dq-test-coordinator: ResourceNotFoundException/);
  });
});
