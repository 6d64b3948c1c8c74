import { beforeAll, describe, expect, it } from "vitest";
import { runtimeConfigFromEnv } from "../../app/config/runtime-config.ts";
import { defaultSettings, deployedTimings, staleAfterMs } from "../../app/pipeline/context.ts";
import { ENV, FUNCTIONS, type FunctionName, QUEUE, workQueueTimings } from "../../app/wiring.ts";
import { parseStackSettings } from "../../infra/config.ts";
import { type BuiltStack, buildStack, REQUIRED_CONFIG } from "./pulumi-mocks.ts";

/**
 * The timings that must agree between what infra deploys and what the pipeline assumes: the work queue's
 * visibility, the batch lease, the sweep of lost messages. They all follow the processor's timeout, which a stack
 * may override; infra passes it to the functions, and the runtime derives the rest with the same function.
 */
const PIPELINE_FUNCTIONS: FunctionName[] = ["coordinator", "processor", "deadLetter"];

let stack: BuiltStack;
beforeAll(async () => {
  stack = await buildStack("timings", { processorTimeoutSeconds: "300" });
});

const variables = (name: FunctionName) =>
  (
    stack.mocks.one("aws:lambda/function:Function", stack.names.function(name)).inputs.environment as {
      variables: Record<string, string>;
    }
  ).variables;

describe("a stack that overrides the processor timeout", () => {
  it("tells every pipeline function the processor timeout it deployed", () => {
    for (const name of PIPELINE_FUNCTIONS) expect(variables(name)[ENV.processorTimeoutSeconds], name).toBe("300");
  });

  it("deploys the visibility the pipeline derives, and the pipeline's lease fits inside it", () => {
    const queue = stack.mocks.one("aws:sqs/queue:Queue", stack.names.queue).inputs;
    const config = runtimeConfigFromEnv(variables("processor"));
    const settings = defaultSettings({
      creditsPerWindow: 8,
      batchSize: 8,
      ...deployedTimings(config.processorTimeoutSeconds),
    });

    expect(queue.visibilityTimeoutSeconds).toBe(workQueueTimings(300).visibilityTimeoutSeconds);
    expect(settings.visibilityTimeoutMs).toBe(Number(queue.visibilityTimeoutSeconds) * 1000);
    // A live worker keeps its lease for the whole invocation; a dead one's lease is over before the message is back.
    expect(settings.leaseMs).toBeGreaterThan(300_000);
    expect(settings.leaseMs).toBeLessThan(settings.visibilityTimeoutMs);
    // The sweep waits out every receive the redrive policy allows.
    const maxReceiveCount = JSON.parse(String(queue.redrivePolicy)).maxReceiveCount as number;
    expect(staleAfterMs(settings)).toBeGreaterThanOrEqual(maxReceiveCount * settings.visibilityTimeoutMs);
  });
});

describe("settings that must agree are refused before deploying", () => {
  it("a lookback the runtime would refuse at cold start", () => {
    expect(() => parseStackSettings({ ...REQUIRED_CONFIG, lookbackDays: 367 }, "dev")).toThrow(/dq:lookbackDays/);
    expect(parseStackSettings({ ...REQUIRED_CONFIG, lookbackDays: 366 }, "dev").lookbackDays).toBe(366);
  });

  it("a batch larger than a minute's credits, which no slot of the ledger could hold", () => {
    expect(() => parseStackSettings({ ...REQUIRED_CONFIG, creditsPerMinute: 8, batchSize: 10 }, "dev")).toThrow(
      /batchSize 10 is more than the plan's 8 credits per minute/,
    );
  });

  it("the runtime defaults to the processor timeout of the wiring when none is given", () => {
    const config = runtimeConfigFromEnv({
      [ENV.tableName]: "t",
      [ENV.queueUrl]: "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
      [ENV.eventBusName]: "b",
    });
    expect(config.processorTimeoutSeconds).toBe(FUNCTIONS.processor.timeoutSeconds);
    expect(QUEUE.maxReceiveCount).toBeGreaterThan(0);
  });
});
