import { beforeAll, describe, expect, it } from "vitest";
import { accountOf } from "../../app/pipeline/planning.ts";
import { ENV, FUNCTIONS, type FunctionName } from "../../app/wiring.ts";
import {
  ACCOUNT,
  type BuiltStack,
  buildStack,
  type PolicyStatement,
  promiseOf,
  REGION,
  REQUIRED_CONFIG,
  SECRET_VALUES,
  unwrapSecret,
} from "./pulumi-mocks.ts";

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

let dev: BuiltStack;
let unreserved: BuiltStack;
beforeAll(async () => {
  dev = await buildStack("dev");
  unreserved = await buildStack("fresh", { slackReservedConcurrency: "0" });
});

describe("IAM", () => {
  const grants = (name: FunctionName): PolicyStatement[] => dev.mocks.policy(`dq-dev-${name}-policy`);
  const actionsOn = (name: FunctionName, resource: string): string[] =>
    grants(name)
      .filter((s) => list(s.Resource).includes(resource))
      .flatMap((s) => list(s.Action))
      .sort();

  it("gives every function a policy of its own", () => {
    const policies = dev.mocks.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => p.name);

    for (const name of Object.keys(FUNCTIONS)) expect(policies).toContain(`dq-dev-${name}-policy`);
  });

  it("allows no wildcard action anywhere", () => {
    for (const { policy, statement } of dev.mocks.statements()) {
      for (const action of list(statement.Action)) {
        expect(action, `${policy} ${statement.Sid}`).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    }
  });

  it("allows only, never denies by omission of Effect", () => {
    for (const { statement } of dev.mocks.statements()) expect(statement.Effect).toBe("Allow");
  });

  it("names the resources of every statement, with * only for PutMetricData in dq's namespace", () => {
    for (const { policy, statement } of dev.mocks.statements()) {
      const resources = list(statement.Resource);
      expect(resources.length, `${policy} ${statement.Sid}`).toBeGreaterThan(0);
      if (resources.includes("*")) {
        expect(list(statement.Action)).toEqual(["cloudwatch:PutMetricData"]);
        expect(statement.Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "dq" } });
      }
      for (const resource of resources) expect(resource, `${policy} ${statement.Sid}`).toMatch(/^arn:aws:/);
    }
  });

  it("lets iam:PassRole pass only the scheduler role, only to EventBridge Scheduler", () => {
    const passes = dev.mocks.statements().filter(({ statement }) => list(statement.Action).includes("iam:PassRole"));

    expect(passes.length).toBeGreaterThan(0);
    for (const { statement } of passes) {
      expect(list(statement.Action)).toEqual(["iam:PassRole"]);
      expect(list(statement.Resource)).toEqual([`arn:aws:iam::${ACCOUNT}:role/dq-dev-schedules-role-0a1b2c3`]);
      expect(statement.Condition).toEqual({ StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } });
    }
  });

  it.each(Object.keys(FUNCTIONS) as FunctionName[])("lets %s write only its own logs", (name) => {
    const logs = grants(name).filter((s) => list(s.Action).some((a) => a.startsWith("logs:")));

    expect(logs.flatMap((s) => list(s.Resource))).toEqual([arn("logs", `log-group:/aws/lambda/dq-dev-${name}:*`)]);
  });

  it("lets the processor consume the work queue and nothing else consume it", () => {
    const work = arn("sqs", "dq-dev-work");

    expect(actionsOn("processor", work)).toEqual([
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]);
    for (const other of ["coordinator", "deadLetter", "notifier", "slack"] as const) {
      expect(actionsOn(other, work)).not.toContain("sqs:ReceiveMessage");
    }
  });

  it("lets the dead-letter handler consume the DLQ and pump the work queue", () => {
    expect(actionsOn("deadLetter", arn("sqs", "dq-dev-work-dlq"))).toEqual([
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
    ]);
    expect(actionsOn("deadLetter", arn("sqs", "dq-dev-work"))).toEqual(["sqs:SendMessage"]);
  });

  it("gives the notifier its Slack token, reads of session items, Slack's own items, where its failed runs go and reads of the datalake for the report's charts", () => {
    const statements = grants("notifier").filter((s) => s.Sid !== "OwnLogs");

    expect(statements.map((s) => [s.Action, s.Resource, s.Condition])).toEqual([
      [["ssm:GetParameter"], [arn("ssm", "parameter/dq/dev/slack-bot-token")], undefined],
      [
        ["dynamodb:GetItem", "dynamodb:Query"],
        [arn("dynamodb", "table/dq-dev-table")],
        { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SESSION#*"] } },
      ],
      [
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
        [arn("dynamodb", "table/dq-dev-table")],
        { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SLACK#*"] } },
      ],
      [["sqs:SendMessage"], [arn("sqs", "dq-dev-undelivered")], undefined],
      [["s3:ListBucket"], ["arn:aws:s3:::market-lake"], { StringLike: { "s3:prefix": ["daily/", "daily/*"] } }],
      [["s3:GetObject"], ["arn:aws:s3:::market-lake/daily/*"], undefined],
    ]);
  });

  it("gives the pipeline's functions item reads and writes and the sessions index, no scan or delete", () => {
    for (const name of ["coordinator", "processor", "deadLetter"] as const) {
      expect(actionsOn(name, arn("dynamodb", "table/dq-dev-table"))).toEqual([
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
      ]);
      expect(actionsOn(name, arn("dynamodb", "table/dq-dev-table/index/GSI1"))).toEqual(["dynamodb:Query"]);
    }
  });

  it("gives the public Slack function only what its code calls: session items, never the ledger's", () => {
    const items = grants("slack").find((s) => s.Sid === "SessionItems");

    expect(items).toEqual({
      Sid: "SessionItems",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
      Resource: [arn("dynamodb", "table/dq-dev-table")],
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SESSION#*"] } },
    });
    expect(actionsOn("slack", arn("dynamodb", "table/dq-dev-table/index/GSI1"))).toEqual(["dynamodb:Query"]);
    expect(grants("slack").map((s) => s.Sid)).toEqual([
      "OwnLogs",
      "SessionItems",
      "SessionsIndex",
      "CoverageItems",
      "PutEvents",
      "CancelResume",
      "DailySchedule",
      "PassSchedulerRole",
      "StartSession",
      "InvokeSelf",
      "SlackItems",
      "ReadSlackSecrets",
    ]);
  });

  it("lets /dq schedule read and change the daily run and the weekly deep check, and no other schedule", () => {
    expect(grants("slack").find((s) => s.Sid === "DailySchedule")).toMatchObject({
      Action: ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
      Resource: [
        arn("scheduler", "schedule/dq-dev-schedules/dq-dev-daily"),
        arn("scheduler", "schedule/dq-dev-schedules/dq-dev-deep-check"),
      ],
    });
  });

  it("lets the Slack function neither queue work nor create schedules: starts go through the coordinator", () => {
    const actions = grants("slack").flatMap((s) => list(s.Action));

    expect(actions).not.toContain("sqs:SendMessage");
    expect(actions).not.toContain("scheduler:CreateSchedule");
    // Batch writes only of coverage items (a cancel records what the session checked), never of a session's.
    const batchWrites = grants("slack").filter((s) => list(s.Action).includes("dynamodb:BatchWriteItem"));
    expect(batchWrites.map((s) => [s.Sid, s.Condition])).toEqual([
      ["CoverageItems", { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["COVERAGE#*"] } }],
    ]);
    // It puts only Slack's own items (mutes), never a session's.
    const puts = grants("slack").filter((s) => list(s.Action).includes("dynamodb:PutItem"));
    expect(puts.map((s) => [s.Sid, s.Condition])).toEqual([
      ["SlackItems", { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SLACK#*"] } }],
    ]);
    expect(actionsOn("slack", arn("scheduler", "schedule/dq-dev-schedules/*"))).toEqual(["scheduler:DeleteSchedule"]);
  });

  it("reserves concurrency for the public Slack function, capping it, and for no other", () => {
    const reserved = (stack: BuiltStack) =>
      Object.fromEntries(
        stack.mocks
          .ofType("aws:lambda/function:Function")
          .map((f) => [f.inputs.name, f.inputs.reservedConcurrentExecutions]),
      );

    expect(reserved(dev)).toEqual({
      "dq-dev-coordinator": undefined,
      "dq-dev-processor": undefined,
      "dq-dev-deadLetter": undefined,
      "dq-dev-notifier": undefined,
      "dq-dev-slack": 5,
    });
    expect(reserved(unreserved)["dq-fresh-slack"]).toBeUndefined();
  });

  it("keeps statement IDs unique within each policy, as IAM requires", () => {
    for (const policy of dev.mocks.ofType("aws:iam/rolePolicy:RolePolicy")) {
      const sids = dev.mocks.policy(policy.name).map((s) => s.Sid);
      expect(new Set(sids).size, policy.name).toBe(sids.length);
    }
  });

  it("lets only the Slack function invoke the coordinator, and only the coordinator", () => {
    const invokers = dev.mocks
      .statements()
      .filter(({ statement }) => list(statement.Action).includes("lambda:InvokeFunction"));

    expect(invokers.map(({ policy, statement }) => [policy, list(statement.Resource)])).toEqual(
      expect.arrayContaining([["dq-dev-slack-policy", [arn("lambda", "function:dq-dev-coordinator")]]]),
    );
    for (const { policy } of invokers) expect(["dq-dev-slack-policy", "dq-dev-daily-policy"]).toContain(policy);
  });

  it("lets the Slack function read and update only the daily schedule", () => {
    const daily = arn("scheduler", "schedule/dq-dev-schedules/dq-dev-daily");

    expect(actionsOn("slack", daily)).toEqual(["scheduler:GetSchedule", "scheduler:UpdateSchedule"]);
  });

  it.each(["coordinator", "processor", "deadLetter"] as const)(
    "lets %s manage schedules of dq's group only",
    (name) => {
      expect(actionsOn(name, arn("scheduler", "schedule/dq-dev-schedules/*"))).toEqual([
        "scheduler:CreateSchedule",
        "scheduler:DeleteSchedule",
        "scheduler:GetSchedule",
      ]);
    },
  );

  it("lets the processor read the datalake's objects and list them under the prefix only", () => {
    const statements = grants("processor");

    expect(statements.find((s) => s.Sid === "DatalakeRead")).toMatchObject({
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::market-lake/daily/*"],
    });
    expect(statements.find((s) => s.Sid === "DatalakeList")).toMatchObject({
      Action: ["s3:ListBucket"],
      Resource: ["arn:aws:s3:::market-lake"],
      Condition: { StringLike: { "s3:prefix": ["daily/", "daily/*"] } },
    });
  });

  it("lets the coordinator list the datalake for the universe but not read its objects", () => {
    const sids = grants("coordinator").map((s) => s.Sid);

    expect(sids).toContain("DatalakeList");
    expect(sids).not.toContain("DatalakeRead");
  });

  it("reads each secret only where it is used", () => {
    const readers = (parameter: string) =>
      dev.mocks
        .statements()
        .filter(({ statement }) => list(statement.Resource).includes(arn("ssm", `parameter/dq/dev/${parameter}`)))
        .map(({ policy }) => policy)
        .sort();

    expect(readers("twelve-data-api-key")).toEqual(["dq-dev-processor-policy"]);
    expect(readers("slack-bot-token")).toEqual(["dq-dev-notifier-policy", "dq-dev-slack-policy"]);
    expect(readers("slack-signing-secret")).toEqual(["dq-dev-slack-policy"]);
  });

  it("lets the functions that build the pipeline, and only they, publish to the bus", () => {
    const publishers = dev.mocks
      .statements()
      .filter(({ statement }) => list(statement.Action).includes("events:PutEvents"))
      .map(({ policy, statement }) => [policy, list(statement.Resource)]);

    expect(publishers.sort()).toEqual(
      ["coordinator", "deadLetter", "processor", "slack"].map((n) => [
        `dq-dev-${n}-policy`,
        [arn("events", "event-bus/dq-dev-events")],
      ]),
    );
  });
});

describe("the secrets", () => {
  it("stores each secret as an SSM SecureString parameter, kept secret in Pulumi's state", () => {
    const parameters = dev.mocks
      .ofType("aws:ssm/parameter:Parameter")
      .map((p) => p.inputs)
      .filter((p) => p.type === "SecureString");

    expect(parameters.map((p) => [p.name, p.type, unwrapSecret(p.value)])).toEqual([
      ["/dq/dev/twelve-data-api-key", "SecureString", { secret: true, value: REQUIRED_CONFIG.twelveDataApiKey }],
      ["/dq/dev/slack-bot-token", "SecureString", { secret: true, value: REQUIRED_CONFIG.slackBotToken }],
      ["/dq/dev/slack-signing-secret", "SecureString", { secret: true, value: REQUIRED_CONFIG.slackSigningSecret }],
    ]);
  });

  it("never puts a secret value in a function's environment", () => {
    const environments = dev.mocks
      .ofType("aws:lambda/function:Function")
      .map((f) => JSON.stringify(f.inputs.environment));

    for (const environment of environments) {
      for (const secret of SECRET_VALUES) expect(environment).not.toContain(secret);
    }
  });

  it("never sets the variables that would carry a secret value", () => {
    const variables = dev.mocks
      .ofType("aws:lambda/function:Function")
      .flatMap((f) => Object.keys((f.inputs.environment as { variables: object }).variables));

    expect(variables).not.toContain(ENV.twelveDataApiKey);
    expect(variables).not.toContain(ENV.slackBotToken);
    expect(variables).not.toContain(ENV.slackSigningSecret);
  });

  it("gives the functions the parameter names to read at cold start", () => {
    const env = (name: string) =>
      (dev.mocks.one("aws:lambda/function:Function", name).inputs.environment as { variables: Record<string, string> })
        .variables;

    expect(env("dq-dev-processor")[ENV.twelveDataApiKeyParameter]).toBe("/dq/dev/twelve-data-api-key");
    for (const other of ["coordinator", "deadLetter", "notifier", "slack"]) {
      expect(env(`dq-dev-${other}`)).not.toHaveProperty(ENV.twelveDataApiKeyParameter);
    }
    expect(env("dq-dev-notifier")[ENV.slackBotTokenParameter]).toBe("/dq/dev/slack-bot-token");
    expect(env("dq-dev-slack")[ENV.slackSigningSecretParameter]).toBe("/dq/dev/slack-signing-secret");
  });

  it("gives the pipeline's functions the ledger's account, the provider key's hash, as the runtime computes it", () => {
    const env = (name: string) =>
      (dev.mocks.one("aws:lambda/function:Function", name).inputs.environment as { variables: Record<string, string> })
        .variables;

    for (const name of ["coordinator", "processor", "deadLetter", "slack"]) {
      expect(env(`dq-dev-${name}`)[ENV.ledgerAccount]).toBe(accountOf(REQUIRED_CONFIG.twelveDataApiKey as string));
    }
  });

  it("exports no secret as a stack output", async () => {
    const outputs = await Promise.all(Object.values(dev.outputs).map((o) => promiseOf(o)));

    for (const secret of SECRET_VALUES) expect(JSON.stringify(outputs)).not.toContain(secret);
  });
});
