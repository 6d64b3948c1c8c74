import { existsSync } from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../app/wiring.ts";
import { CONFIG_OF, promiseOf, REGION, REQUIRED_CONFIG, RecordingMocks } from "./pulumi-mocks.ts";

// The program as `pulumi up` runs it: the stack's config, the handlers bundled from app/handlers, the outputs
// exported by infra/index.ts.
describe("the Pulumi program", () => {
  const mocks = new RecordingMocks();
  let program: Record<string, pulumi.Output<string>>;
  beforeAll(async () => {
    await pulumi.runtime.setMocks(mocks, "dq", "dev", false);
    pulumi.runtime.setAllConfig({ ...CONFIG_OF(REQUIRED_CONFIG), "aws:region": REGION }, [
      "dq:twelveDataApiKey",
      "dq:slackBotToken",
      "dq:slackSigningSecret",
    ]);
    program = (await import("../../infra/index.ts")) as unknown as Record<string, pulumi.Output<string>>;
  });

  it("exports the stack outputs", async () => {
    const outputs = Object.fromEntries(
      await Promise.all(Object.entries(program).map(async ([k, v]) => [k, await promiseOf(v)])),
    );

    expect(outputs).toEqual({
      slackRequestUrl: "https://abc123.lambda-url.eu-west-1.on.aws/slack/events",
      tableName: "dq-dev-table",
      queueName: "dq-dev-work",
      deadLetterQueueName: "dq-dev-work-dlq",
      dashboardUrl: expect.stringContaining("dq-dev"),
      eventBusName: "dq-dev-events",
      scheduleGroupName: "dq-dev-schedules",
    });
  });

  it("deploys each function from its bundle's directory, so the state holds a path and a hash, not the code", async () => {
    const functions = mocks.ofType("aws:lambda/function:Function");

    expect(functions).toHaveLength(Object.keys(FUNCTIONS).length);
    for (const f of functions) {
      const name = String(f.inputs.name).replace("dq-dev-", "");
      const code = f.inputs.code as pulumi.asset.FileArchive;
      expect(code).toBeInstanceOf(pulumi.asset.FileArchive);
      expect(code).not.toHaveProperty("assets");
      expect(await code.path).toBe(`dist/lambda/${name}`);
      expect(existsSync(path.join(await code.path, "index.mjs"))).toBe(true);
    }
  });
});
