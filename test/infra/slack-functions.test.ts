import { beforeAll, describe, expect, it } from "vitest";
import { ENV } from "../../app/wiring.ts";
import { parseStackSettings, StackConfigError } from "../../infra/config.ts";
import { ACCOUNT, type BuiltStack, buildStack, type PolicyStatement, REGION } from "./pulumi-mocks.ts";

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

let dev: BuiltStack;
let tuned: BuiltStack;
beforeAll(async () => {
  dev = await buildStack("dev");
  tuned = await buildStack("tuned", {
    slackOncall: "S0ONCALL",
    slackNotify: "failures",
    slackQuietHours: "22:00-07:00 Europe/London",
    slackReportUrl: "https://reports.example.com/dq/{session}",
    slackBotUserId: "U0DQBOT",
    slackBotId: "B0DQBOT",
  });
});

function env(stack: BuiltStack, name: string): Record<string, string> {
  return (
    stack.mocks.one("aws:lambda/function:Function", name).inputs.environment as {
      variables: Record<string, string>;
    }
  ).variables;
}

describe("the Slack function hands each request's work to itself", () => {
  it("may invoke itself, and names itself in its environment", () => {
    const grants: PolicyStatement[] = dev.mocks.policy("dq-dev-slack-policy");
    const self = grants.find((s) => s.Sid === "InvokeSelf");

    expect(self?.Action).toEqual(["lambda:InvokeFunction"]);
    expect(list(self?.Resource)).toEqual([arn("lambda", "function:dq-dev-slack")]);
    expect(env(dev, "dq-dev-slack")[ENV.slackFunctionName]).toBe("dq-dev-slack");
  });

  it("gets the bot's IDs when they are configured, so Bolt never calls auth.test", () => {
    expect(env(dev, "dq-dev-slack")).not.toHaveProperty(ENV.slackBotUserId);
    expect(env(tuned, "dq-tuned-slack")).toMatchObject({
      [ENV.slackBotUserId]: "U0DQBOT",
      [ENV.slackBotId]: "B0DQBOT",
    });
  });
});

describe("the notifier's settings", () => {
  it("reads the table, and notifies every summary with nobody mentioned by default", () => {
    const variables = env(dev, "dq-dev-notifier");

    expect(variables[ENV.tableName]).toBe("dq-dev-table");
    expect(variables[ENV.slackNotify]).toBe("all");
    expect(variables).not.toHaveProperty(ENV.slackOncall);
    expect(variables).not.toHaveProperty(ENV.slackQuietHours);
  });

  it("gets the on-call group, the quiet hours, the notify mode and the report link from the stack's config", () => {
    expect(env(tuned, "dq-tuned-notifier")).toMatchObject({
      [ENV.slackOncall]: "S0ONCALL",
      [ENV.slackNotify]: "failures",
      [ENV.slackQuietHours]: "22:00-07:00 Europe/London",
      [ENV.slackReportUrl]: "https://reports.example.com/dq/{session}",
    });
  });
});

describe("the Slack settings' validation", () => {
  const REQUIRED = {
    datalake: "s3://lake/daily/{symbol}/bars.parquet",
    slackChannel: "C0123ABCD",
    alarmEmail: "oncall@example.com",
  };
  const issuesOf = (raw: Record<string, unknown>): string[] => {
    try {
      parseStackSettings({ ...REQUIRED, ...raw }, "dev");
    } catch (error) {
      if (error instanceof StackConfigError) return error.issues.map((i) => i.split(":")[1] ?? i);
      throw error;
    }
    return [];
  };

  it("refuses an on-call, quiet hours, a notify mode, a report link or bot IDs it could not use", () => {
    expect(
      issuesOf({
        slackOncall: "#data-oncall",
        slackQuietHours: "22:00-07:00 Mars/Olympus",
        slackNotify: "never",
        slackReportUrl: "https://reports.example.com/latest",
        slackBotUserId: "B0WRONG",
      }),
    ).toEqual(["slackOncall", "slackNotify", "slackQuietHours", "slackReportUrl", "slackBotUserId"]);
    expect(issuesOf({ slackQuietHours: "22:00-07:00", slackOncall: "U0ALICE" })).toEqual([]);
  });
});
