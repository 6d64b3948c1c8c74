import { describe, expect, it } from "vitest";
import { accountOf } from "../../app/pipeline/planning.ts";
import { type AwsClient, createPipelineRuntime } from "../../app/runtime/pipeline-runtime.ts";
import { ENV } from "../../app/wiring.ts";

// On AWS only the processor may read the provider key; the other functions that run the pipeline get the ledger's
// account (the key's hash) from infra instead. Nothing here reaches AWS: the first request is caught and refused.

const ENVIRONMENT = {
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  [ENV.tableName]: "dq-test-table",
  [ENV.queueUrl]: "https://sqs.eu-west-1.amazonaws.com/123456789012/dq-test-work",
  [ENV.eventBusName]: "dq-test-events",
  [ENV.twelveDataBaseUrl]: "https://api.twelvedata.com",
};
/** The runtimes' clock and the reservations' instant: never the real date. */
const NOW = Date.parse("2026-01-16T04:30:00Z");
const clock = () => NOW;

class Caught extends Error {
  override name = "Caught";
  readonly input: unknown;
  constructor(input: unknown) {
    super("request caught before it left");
    this.input = input;
  }
}

/** The request the ledger tried first (it wraps the failure in its own error, with the cause). */
async function firstRequest(attempt: Promise<unknown>): Promise<string> {
  const error = (await attempt.catch((e: unknown) => e)) as Error;
  const caught = error instanceof Caught ? error : error.cause;
  if (!(caught instanceof Caught)) throw error;
  return JSON.stringify(caught.input);
}

/** Fails every DynamoDB request with its input, before it is signed or sent. */
function catchRequests(client: AwsClient): void {
  client.middlewareStack.add(
    () => async (args) => {
      throw new Caught(args.input);
    },
    { step: "initialize" },
  );
}

describe("the pipeline runtime's credit ledger", () => {
  it("needs no provider key when infra gives it the ledger's account, and reserves under that account", async () => {
    const runtime = await createPipelineRuntime({
      env: { ...ENVIRONMENT, [ENV.ledgerAccount]: "0123456789abcdef" },
      metrics: { count: () => {} },
      clock,
      instrumentClient: catchRequests,
    });

    expect(await firstRequest(runtime.ctx.ledger.reserve(8, NOW, 60_000))).toContain("LEDGER#0123456789abcdef");
  });

  it("keeps the ledger in another stack's table when it shares that stack's key", async () => {
    const runtime = await createPipelineRuntime({
      env: { ...ENVIRONMENT, [ENV.ledgerAccount]: "0123456789abcdef", [ENV.ledgerTable]: "dq-prod-table" },
      metrics: { count: () => {} },
      instrumentClient: catchRequests,
    });

    const request = await firstRequest(runtime.ctx.ledger.reserve(8, NOW, 60_000));

    expect(request).toContain('"TableName":"dq-prod-table"');
    expect(request).toContain("LEDGER#0123456789abcdef");
  });

  it("refuses a provider call in a function deployed without the key, naming the missing variable", async () => {
    const runtime = await createPipelineRuntime({
      env: { ...ENVIRONMENT, [ENV.ledgerAccount]: "0123456789abcdef" },
      metrics: { count: () => {} },
      clock,
    });

    await expect(
      runtime.ctx.provider.dailyBars(["AAPL"], { startDate: "2025-01-02", endDate: "2025-01-31" }),
    ).rejects.toThrow(ENV.twelveDataApiKeyParameter);
  });

  it("still refuses to start without a key or the ledger's account, for a real provider", async () => {
    await expect(createPipelineRuntime({ env: ENVIRONMENT, metrics: { count: () => {} }, clock })).rejects.toThrow(
      new RegExp(ENV.twelveDataApiKeyParameter),
    );
  });

  it("derives the same account from the key as infra passes", async () => {
    const runtime = await createPipelineRuntime({
      env: { ...ENVIRONMENT, [ENV.twelveDataApiKey]: "td-key" },
      metrics: { count: () => {} },
      clock,
      instrumentClient: catchRequests,
    });

    expect(await firstRequest(runtime.ctx.ledger.reserve(8, NOW, 60_000))).toContain(`LEDGER#${accountOf("td-key")}`);
  });
});
