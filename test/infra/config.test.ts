import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { FUNCTIONS, SCHEDULE } from "../../app/wiring.ts";
import { loadStackConfig, parseStackSettings, StackConfigError } from "../../infra/config.ts";
import { promiseOf } from "./pulumi-mocks.ts";

const REQUIRED = {
  datalake: "s3://lake/daily/{symbol}/bars.parquet",
  slackChannel: "C0123ABCD",
  alarmEmail: "oncall@example.com",
};

function issuesOf(raw: Record<string, unknown>, stack = "dev"): readonly string[] {
  try {
    parseStackSettings(raw, stack);
  } catch (error) {
    if (error instanceof StackConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected a StackConfigError");
}

describe("parseStackSettings", () => {
  it("fills every default from the required keys alone", () => {
    const settings = parseStackSettings(REQUIRED, "dev");

    expect(settings).toMatchObject({
      provider: { baseUrl: "https://api.twelvedata.com", creditsPerMinute: 8, creditsPerDay: 800, batchSize: 8 },
      universe: { symbols: [], deny: [] },
      lookbackDays: 30,
      retentionDays: 7,
      schedule: { expression: SCHEDULE.defaultCron, timezone: SCHEDULE.defaultTimezone, enabled: true },
      processorMaxConcurrency: 5,
      logRetentionDays: 30,
      slack: { channel: "C0123ABCD", allowedUsers: [], allowedChannels: [], admins: [] },
      alarms: { processorErrors: 1, deadLetterMessages: 1, email: "oncall@example.com" },
      protect: false,
    });
    expect(settings.functions.processor).toEqual({
      memoryMb: FUNCTIONS.processor.memoryMb,
      timeoutSeconds: FUNCTIONS.processor.timeoutSeconds,
    });
  });

  it("derives the batch size from a small per-minute allowance", () => {
    expect(parseStackSettings({ ...REQUIRED, creditsPerMinute: 5 }, "dev").provider.batchSize).toBe(5);
  });

  it("keeps an explicit batch size", () => {
    expect(parseStackSettings({ ...REQUIRED, creditsPerMinute: 610, batchSize: 50 }, "dev").provider.batchSize).toBe(
      50,
    );
  });

  it("reads a daily allowance of 0 as no daily cap", () => {
    expect(parseStackSettings({ ...REQUIRED, creditsPerDay: 0 }, "dev").provider.creditsPerDay).toBeNull();
  });

  it("splits the datalake template into bucket and fixed key prefix", () => {
    expect(parseStackSettings(REQUIRED, "dev").datalake).toEqual({
      uri: REQUIRED.datalake,
      bucket: "lake",
      keyPrefix: "daily/",
    });
  });

  it("reads a template at the bucket's root as no prefix", () => {
    const settings = parseStackSettings({ ...REQUIRED, datalake: "s3://lake/{symbol}.parquet" }, "dev");

    expect(settings.datalake).toMatchObject({ bucket: "lake", keyPrefix: "" });
  });

  it("upper-cases symbols", () => {
    expect(parseStackSettings({ ...REQUIRED, symbols: ["aapl", " brk.b "] }, "dev").universe.symbols).toEqual([
      "AAPL",
      "BRK.B",
    ]);
  });

  it("refuses a datalake the functions cannot read", () => {
    expect(issuesOf({ ...REQUIRED, datalake: "file:///data/{symbol}.csv" })).toEqual([
      expect.stringMatching(/^dq:datalake: expected s3:/),
    ]);
  });

  it("names every offending key at once", () => {
    const issues = issuesOf({
      ...REQUIRED,
      scheduleCron: "every day",
      scheduleTimezone: "Mars/Olympus",
      processorMaxConcurrency: 1,
      logRetentionDays: 10,
      symbols: ["../etc"],
    });

    expect(issues.map((i) => i.split(":")[1])).toEqual([
      "symbols.0",
      "scheduleCron",
      "scheduleTimezone",
      "processorMaxConcurrency",
      "logRetentionDays",
    ]);
  });

  it("requires the datalake and the Slack channel", () => {
    expect(issuesOf({}).map((i) => i.split(":")[1])).toEqual(["datalake", "slackChannel"]);
  });

  it("refuses a function timeout Lambda does not allow", () => {
    expect(issuesOf({ ...REQUIRED, processorTimeoutSeconds: 901 })).toEqual([
      expect.stringMatching(/^dq:processorTimeoutSeconds:/),
    ]);
  });

  it("refuses a stack whose alarms would reach nobody but the notifier", () => {
    const { alarmEmail: _, ...withoutEmail } = REQUIRED;

    expect(issuesOf(withoutEmail)).toEqual([
      expect.stringMatching(/^dq:alarmEmail or dq:alarmTopicArn: set at least one/),
    ]);
    expect(issuesOf({ ...withoutEmail, alarmEmail: "", alarmTopicArn: "" })).toHaveLength(1);
  });

  it("sends alarms to a topic of the operator's instead of an email", () => {
    const { alarmEmail: _, ...withoutEmail } = REQUIRED;
    const topicArn = "arn:aws:sns:eu-west-1:123456789012:pager";

    expect(parseStackSettings({ ...withoutEmail, alarmTopicArn: topicArn }, "dev").alarms).toEqual({
      processorErrors: 1,
      deadLetterMessages: 1,
      topicArn,
    });
  });

  it("refuses an alarm address or topic that is not one", () => {
    expect(issuesOf({ ...REQUIRED, alarmEmail: "oncall", alarmTopicArn: "pager" }).map((i) => i.split(":")[1])).toEqual(
      ["alarmEmail", "alarmTopicArn"],
    );
  });

  it("protects the stack named prod without the flag", () => {
    expect(parseStackSettings(REQUIRED, "prod").protect).toBe(true);
  });

  it("protects any stack with the flag", () => {
    expect(parseStackSettings({ ...REQUIRED, protect: true }, "staging").protect).toBe(true);
  });
});

describe("loadStackConfig", () => {
  const secrets = {
    "dq:twelveDataApiKey": "td-key",
    "dq:slackBotToken": "xoxb-token",
    "dq:slackSigningSecret": "signing",
  };
  const load = (config: Record<string, string>) => {
    pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1", ...config, ...secrets }, Object.keys(secrets));
    return loadStackConfig(new pulumi.Config("dq"), "dev");
  };

  it("reads numbers, booleans and lists as the CLI passes them", () => {
    const config = load({
      "dq:datalake": REQUIRED.datalake,
      "dq:slackChannel": REQUIRED.slackChannel,
      "dq:alarmEmail": REQUIRED.alarmEmail,
      "dq:creditsPerMinute": "55",
      "dq:scheduleEnabled": "false",
      "dq:symbols": '["AAPL","MSFT"]',
    });

    expect(config.provider.creditsPerMinute).toBe(55);
    expect(config.schedule.enabled).toBe(false);
    expect(config.universe.symbols).toEqual(["AAPL", "MSFT"]);
  });

  it("keeps the secrets as Pulumi secrets", async () => {
    const config = load({
      "dq:datalake": REQUIRED.datalake,
      "dq:slackChannel": REQUIRED.slackChannel,
      "dq:alarmEmail": REQUIRED.alarmEmail,
    });

    expect(await pulumi.isSecret(config.secrets.twelveDataApiKey)).toBe(true);
    expect(await promiseOf(config.secrets.twelveDataApiKey)).toBe("td-key");
  });

  it("names a key whose value has the wrong type", () => {
    expect(() =>
      load({
        "dq:datalake": REQUIRED.datalake,
        "dq:slackChannel": REQUIRED.slackChannel,
        "dq:alarmEmail": REQUIRED.alarmEmail,
        "dq:creditsPerMinute": "eight",
      }),
    ).toThrow(/dq:creditsPerMinute/);
  });

  it("requires the region to deploy into", () => {
    pulumi.runtime.setAllConfig({
      "dq:datalake": REQUIRED.datalake,
      "dq:slackChannel": REQUIRED.slackChannel,
      "dq:alarmEmail": "a@b.example",
    });

    expect(() => loadStackConfig(new pulumi.Config("dq"), "dev")).toThrow(/aws:region/);
  });

  it("requires every secret", () => {
    pulumi.runtime.setAllConfig({
      "aws:region": "eu-west-1",
      "dq:datalake": REQUIRED.datalake,
      "dq:slackChannel": REQUIRED.slackChannel,
      "dq:alarmEmail": REQUIRED.alarmEmail,
    });

    expect(() => loadStackConfig(new pulumi.Config("dq"), "dev")).toThrow(/twelveDataApiKey/);
  });
});
