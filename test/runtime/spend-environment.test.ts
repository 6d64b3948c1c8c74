import { describe, expect, it } from "vitest";
import { createPipelineRuntime } from "../../app/runtime/pipeline-runtime.ts";
import { ENV } from "../../app/wiring.ts";

// The spend schedule's margins depend on where the workers run (app/pipeline/spend-margins.ts). A deployed
// function learns it from its config alone: the deployed bundles on the local stack run in processes of their own,
// with nothing but their environment variables. Nothing here reaches AWS or the provider.

const ENVIRONMENT = {
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  [ENV.tableName]: "dq-test-table",
  [ENV.queueUrl]: "https://sqs.eu-west-1.amazonaws.com/123456789012/dq-test-work",
  [ENV.eventBusName]: "dq-test-events",
  [ENV.twelveDataApiKey]: "td-key",
};
const clock = () => Date.parse("2026-01-16T04:30:00Z");

async function environmentFor(baseUrl: string, windowSeconds?: number) {
  const runtime = await createPipelineRuntime({
    env: {
      ...ENVIRONMENT,
      [ENV.twelveDataBaseUrl]: baseUrl,
      ...(windowSeconds === undefined ? {} : { [ENV.creditWindowSeconds]: String(windowSeconds) }),
    },
    metrics: { count: () => {} },
    clock,
  });
  return runtime.ctx.settings.spendEnvironment;
}

describe("the pipeline runtime's spend environment", () => {
  it("is Lambda's (the default) for the real provider", async () => {
    expect(await environmentFor("https://api.twelvedata.com")).toBeUndefined();
  });

  it("is this machine's for a provider on loopback: no clock error, spaced from when requests leave", async () => {
    expect(await environmentFor("http://127.0.0.1:4010", 12)).toEqual({ skewMs: 0, forwardSpreadMs: 5 });
  });

  it("spaces spends from their answers on loopback under a 2 s window, where the margin is below the event loop's lag", async () => {
    expect(await environmentFor("http://localhost:4010", 1)).toEqual({
      skewMs: 0,
      forwardSpreadMs: 5,
      spaceFromAnswer: true,
    });
  });
});
