import { beforeAll, describe, expect, it } from "vitest";
import { PROFILE_ENV } from "../../app/config/load-profile.ts";
import { ENV, FUNCTIONS, type FunctionName, QUEUE, RULES, resourceNames, TABLE } from "../../app/wiring.ts";
import { REPORTS_BUCKET_ENV } from "../../infra/reports.ts";
import { ACCOUNT, type BuiltStack, buildStack, promiseOf, REGION } from "./pulumi-mocks.ts";

const TABLE_TYPE = "aws:dynamodb/table:Table";
const QUEUE_TYPE = "aws:sqs/queue:Queue";
const FUNCTION_TYPE = "aws:lambda/function:Function";
const NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

let dev: BuiltStack;
/** The prod stack, with every sizing key overridden. */
let prod: BuiltStack;
beforeAll(async () => {
  dev = await buildStack("dev");
  prod = await buildStack("prod", {
    processorTimeoutSeconds: "120",
    processorMemoryMb: "1024",
    notifierTimeoutSeconds: "45",
    logRetentionDays: "90",
    processorMaxConcurrency: "10",
    creditsPerMinute: "55",
    creditsPerDay: "0",
    slackAllowedUsers: JSON.stringify(["U0AAA", "U0BBB"]),
  });
});

const fn = (stack: BuiltStack, name: FunctionName) => stack.mocks.one(FUNCTION_TYPE, stack.names.function(name)).inputs;
const env = (stack: BuiltStack, name: FunctionName) =>
  (fn(stack, name).environment as { variables: Record<string, string> }).variables;

describe("the stack", () => {
  it("outputs the names an operator and the dq CLI look for", async () => {
    const { slackRequestUrl, dashboardUrl, ...names } = dev.outputs;
    const resolved = Object.fromEntries(
      await Promise.all(Object.entries(names).map(async ([k, v]) => [k, await promiseOf(v)])),
    );

    expect(resolved).toEqual({
      tableName: "dq-dev-table",
      queueName: "dq-dev-work",
      deadLetterQueueName: "dq-dev-work-dlq",
      eventBusName: "dq-dev-events",
      scheduleGroupName: "dq-dev-schedules",
    });
    expect(await promiseOf(slackRequestUrl)).toBe(`https://abc123.lambda-url.${REGION}.on.aws/slack/events`);
    expect(await promiseOf(dashboardUrl)).toMatch(/^https:\/\/.+dq-dev$/);
  });

  it("refuses a stack whose config is invalid, naming the key", async () => {
    await expect(buildStack("broken", { creditsPerMinute: "0" })).rejects.toThrow(/dq:creditsPerMinute/);
  });
});

describe("every resource", () => {
  it("goes through one AWS provider in the stack's region that tags it with the project and the stack", () => {
    const providers = prod.mocks.ofType("pulumi:providers:aws");

    expect(providers.map((p) => p.name)).toEqual(["dq-prod"]);
    expect(providers[0]?.inputs.region).toBe(REGION);
    expect(JSON.parse(String(providers[0]?.inputs.defaultTags))).toEqual({ tags: { project: "dq", stack: "prod" } });
    const untagged = prod.mocks.resources
      .filter((r) => r.type.startsWith("aws:") && !r.provider.includes("pulumi:providers:aws::dq-prod::"))
      .map((r) => `${r.type} ${r.name}`);
    expect(untagged).toEqual([]);
  });

  it("names ARNs in the stack's partition, read from AWS rather than assumed", () => {
    const read = dev.mocks.policy("dq-dev-processor-policy").find((s) => s.Sid === "DatalakeRead");

    expect(read?.Resource).toEqual(["arn:aws:s3:::market-lake/daily/*"]);
    expect(dev.mocks.calls).toContain("aws:index/getPartition:getPartition");
  });
});

describe("the table", () => {
  it("is on-demand, keyed PK/SK, with the sessions index", () => {
    const table = dev.mocks.one(TABLE_TYPE, "dq-dev-table").inputs;

    expect(table).toMatchObject({
      name: "dq-dev-table",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "PK",
      rangeKey: "SK",
    });
    expect(table.globalSecondaryIndexes).toEqual([
      {
        name: TABLE.sessionsIndex.name,
        keySchemas: [
          { attributeName: "GSI1PK", keyType: "HASH" },
          { attributeName: "GSI1SK", keyType: "RANGE" },
        ],
        projectionType: "ALL",
      },
    ]);
  });

  it("expires items on the ttl attribute and keeps point-in-time recovery", () => {
    const table = dev.mocks.one(TABLE_TYPE, "dq-dev-table").inputs;

    expect(table.ttl).toEqual({ attributeName: "ttl", enabled: true });
    expect(table.pointInTimeRecovery).toEqual({ enabled: true });
  });

  it("has no deletion protection on dev", () => {
    expect(dev.mocks.one(TABLE_TYPE, "dq-dev-table").inputs.deletionProtectionEnabled).toBe(false);
  });

  it("has deletion protection on prod even without the protect flag", () => {
    expect(prod.mocks.one(TABLE_TYPE, "dq-prod-table").inputs.deletionProtectionEnabled).toBe(true);
  });
});

describe("the queues", () => {
  it("redrive a message to the DLQ after 5 receives, since throttled receives count too", () => {
    const work = dev.mocks.one(QUEUE_TYPE, "dq-dev-work").inputs;

    expect(QUEUE.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(JSON.parse(String(work.redrivePolicy))).toEqual({
      deadLetterTargetArn: arn("sqs", "dq-dev-work-dlq"),
      maxReceiveCount: QUEUE.maxReceiveCount,
    });
  });

  it("park a dead letter its own handler cannot process after 3 receives, instead of redelivering it for 14 days", () => {
    const dlq = dev.mocks.one(QUEUE_TYPE, "dq-dev-work-dlq").inputs;

    expect(JSON.parse(String(dlq.redrivePolicy))).toEqual({
      deadLetterTargetArn: arn("sqs", "dq-dev-work-parked"),
      maxReceiveCount: 3,
    });
    expect(dev.mocks.one(QUEUE_TYPE, "dq-dev-work-parked").inputs.messageRetentionSeconds).toBe(14 * 24 * 3600);
  });

  it("keep a work message long enough to use every receive after its longest delay", () => {
    for (const stack of [dev, prod]) {
      const work = stack.mocks.one(QUEUE_TYPE, `dq-${stack === dev ? "dev" : "prod"}-work`).inputs;
      const needed = QUEUE.delayHorizonSeconds + QUEUE.maxReceiveCount * Number(work.visibilityTimeoutSeconds);

      expect(work.messageRetentionSeconds).toBeGreaterThanOrEqual(needed);
      expect(work.messageRetentionSeconds).toBeLessThan(QUEUE.deadLetterRetentionSeconds);
    }
  });

  it("hide a received message for at least 6 times the processor timeout", () => {
    const work = dev.mocks.one(QUEUE_TYPE, "dq-dev-work").inputs;

    expect(work.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * Number(fn(dev, "processor").timeout));
  });

  it("keep the visibility rule when config lengthens the processor timeout", () => {
    expect(prod.mocks.one(QUEUE_TYPE, "dq-prod-work").inputs.visibilityTimeoutSeconds).toBe(6 * 120);
  });

  it("let only the work queue use the DLQ, and only the DLQ use the parking queue, as dead-letter queue", () => {
    const allow = (queue: string) =>
      JSON.parse(
        String(
          dev.mocks.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", `${queue}-redrive-allow`).inputs
            .redriveAllowPolicy,
        ),
      );

    expect(dev.mocks.ofType("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")).toHaveLength(2);
    expect(allow("dq-dev-work-dlq")).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [arn("sqs", "dq-dev-work")],
    });
    expect(allow("dq-dev-work-parked")).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [arn("sqs", "dq-dev-work-dlq")],
    });
  });

  it("are all encrypted with SQS-managed keys", () => {
    const queues = dev.mocks.ofType(QUEUE_TYPE);

    expect(queues.map((q) => q.inputs.name).sort()).toEqual([
      "dq-dev-start-dlq",
      "dq-dev-undelivered",
      "dq-dev-work",
      "dq-dev-work-dlq",
      "dq-dev-work-parked",
    ]);
    for (const q of queues) expect(q.inputs.sqsManagedSseEnabled).toBe(true);
  });

  it("keep dead letters longer than work", () => {
    expect(dev.mocks.one(QUEUE_TYPE, "dq-dev-work").inputs.messageRetentionSeconds).toBeLessThan(
      QUEUE.deadLetterRetentionSeconds,
    );
    expect(dev.mocks.one(QUEUE_TYPE, "dq-dev-work-dlq").inputs.messageRetentionSeconds).toBe(
      QUEUE.deadLetterRetentionSeconds,
    );
  });

  it("feed the processor from the work queue and the dead-letter handler from the DLQ, one message at a time", () => {
    const mappings = dev.mocks.ofType("aws:lambda/eventSourceMapping:EventSourceMapping").map((m) => m.inputs);

    expect(mappings).toHaveLength(2);
    expect(mappings).toEqual(
      expect.arrayContaining([
        {
          eventSourceArn: arn("sqs", "dq-dev-work"),
          functionName: arn("lambda", "function:dq-dev-processor"),
          batchSize: 1,
          functionResponseTypes: ["ReportBatchItemFailures"],
          scalingConfig: { maximumConcurrency: 5 },
        },
        {
          eventSourceArn: arn("sqs", "dq-dev-work-dlq"),
          functionName: arn("lambda", "function:dq-dev-deadLetter"),
          batchSize: 1,
          functionResponseTypes: ["ReportBatchItemFailures"],
          scalingConfig: { maximumConcurrency: 2 },
        },
      ]),
    );
  });

  it("take the processor's maximum concurrency from config", () => {
    const mappings = prod.mocks.ofType("aws:lambda/eventSourceMapping:EventSourceMapping").map((m) => m.inputs);

    expect(mappings.find((m) => m.eventSourceArn === arn("sqs", "dq-prod-work"))?.scalingConfig).toEqual({
      maximumConcurrency: 10,
    });
  });
});

describe("the functions", () => {
  it("are every function of the wiring, named per stack", () => {
    const deployed = dev.mocks.ofType(FUNCTION_TYPE).map((f) => String(f.inputs.name));

    expect(deployed.sort()).toEqual(NAMES.map((n) => resourceNames("dev").function(n)).sort());
  });

  it.each(NAMES)("run %s on Node.js 22, arm64, from the bundle's handler export", (name) => {
    expect(fn(dev, name)).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler" });
  });

  it.each(NAMES)("size %s from the wiring by default", (name) => {
    expect(fn(dev, name)).toMatchObject({
      memorySize: FUNCTIONS[name].memoryMb,
      timeout: FUNCTIONS[name].timeoutSeconds,
    });
  });

  it("size a function from config when set", () => {
    expect(fn(prod, "processor")).toMatchObject({ memorySize: 1024, timeout: 120 });
    expect(fn(prod, "notifier").timeout).toBe(45);
  });

  it("each log to a group of their own with the configured retention", () => {
    const groups = (stack: BuiltStack) => stack.mocks.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs);

    expect(
      groups(dev)
        .map((g) => g.name)
        .sort(),
    ).toEqual(NAMES.map((n) => `/aws/lambda/dq-dev-${n}`).sort());
    expect(new Set(groups(dev).map((g) => g.retentionInDays))).toEqual(new Set([30]));
    expect(new Set(groups(prod).map((g) => g.retentionInDays))).toEqual(new Set([90]));
  });

  it.each(NAMES)("name %s's logs and metrics after the stack", (name) => {
    expect(env(prod, name)).toMatchObject({ [ENV.powertoolsServiceName]: "dq-prod", [ENV.stack]: "prod" });
  });

  it.each(NAMES.filter((n) => n !== "slack"))("map %s's stack traces through source maps", (name) => {
    expect(env(dev, name).NODE_OPTIONS).toBe("--enable-source-maps");
  });

  it("run the Slack function, which must answer within 3 s, without source maps", () => {
    expect(env(dev, "slack")).not.toHaveProperty("NODE_OPTIONS");
  });

  it("tell the notifier only its channel, where its token is, what to post and where sessions are", () => {
    expect(env(dev, "notifier")).toEqual({
      NODE_OPTIONS: "--enable-source-maps",
      POWERTOOLS_SERVICE_NAME: "dq-dev",
      DQ_STACK: "dev",
      [ENV.slackChannel]: "C0123ABCD",
      [ENV.slackBotTokenParameter]: "/dq/dev/slack-bot-token",
      [ENV.slackNotify]: "all",
      [ENV.tableName]: "dq-dev-table",
      // Where it writes the session report pages (infra/reports.ts), and the Slack function's URL, which opens
      // the links it posts to them.
      [REPORTS_BUCKET_ENV]: expect.stringMatching(/^dq-dev-reports-/),
      [ENV.reportLinkBase]: expect.stringMatching(/^https:\/\//),
      // How it reads the datalake for the report's charts, and how long a report link opens its page.
      [PROFILE_ENV.inline]: expect.any(String),
      [ENV.reportLinkSeconds]: "604800",
    });
  });

  it.each(["coordinator", "processor", "deadLetter", "slack"] as const)(
    "give %s, which builds the pipeline, the table, queue, bus, schedule group and provider settings",
    (name) => {
      expect(env(dev, name)).toMatchObject({
        [ENV.tableName]: "dq-dev-table",
        [ENV.retentionDays]: "7",
        [ENV.queueUrl]: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/dq-dev-work`,
        [ENV.queueArn]: arn("sqs", "dq-dev-work"),
        [ENV.eventBusName]: "dq-dev-events",
        [ENV.scheduleGroup]: "dq-dev-schedules",
        [ENV.schedulerRoleArn]: `arn:aws:iam::${ACCOUNT}:role/dq-dev-schedules-role-0a1b2c3`,
        [ENV.resumeDeadLetterArn]: arn("sqs", "dq-dev-start-dlq"),
        [ENV.twelveDataBaseUrl]: "https://api.twelvedata.com",
        [ENV.ledgerAccount]: expect.stringMatching(/^[0-9a-f]{16}$/),
        [ENV.creditsPerMinute]: "8",
        [ENV.creditsPerDay]: "800",
        [ENV.batchSize]: "8",
        [ENV.datalake]: "s3://market-lake/daily/{symbol}/bars.parquet",
        [ENV.lookbackDays]: "30",
      });
    },
  );

  it("pass a paid plan's missing daily cap as 'none' and keep the batch at 8 symbols", () => {
    expect(env(prod, "processor")).toMatchObject({
      [ENV.creditsPerMinute]: "55",
      [ENV.creditsPerDay]: "none",
      [ENV.batchSize]: "8",
    });
  });

  it("give the Slack function the coordinator to start, the daily schedule and who may use it", () => {
    expect(env(prod, "slack")).toMatchObject({
      [ENV.coordinatorArn]: arn("lambda", "function:dq-prod-coordinator"),
      [ENV.dailyScheduleName]: "dq-prod-daily",
      [ENV.slackChannel]: "C0123ABCD",
      [ENV.slackAllowedUsers]: "U0AAA,U0BBB",
    });
  });

  it("serve the Slack function on a public function URL that the app authenticates itself", () => {
    const urls = dev.mocks.ofType("aws:lambda/functionUrl:FunctionUrl");

    expect(urls.map((u) => u.inputs)).toEqual([{ functionName: "dq-dev-slack", authorizationType: "NONE" }]);
  });

  it("declare the function URL's two public permissions, so they are in the state and restored if removed", () => {
    const permission = (name: string) => dev.mocks.one("aws:lambda/permission:Permission", name).inputs;

    expect(permission("dq-dev-slack-url-public")).toEqual({
      statementId: "DqFunctionUrlPublic",
      action: "lambda:InvokeFunctionUrl",
      function: "dq-dev-slack",
      principal: "*",
      functionUrlAuthType: "NONE",
    });
    expect(permission("dq-dev-slack-url-invoke")).toEqual({
      statementId: "DqFunctionUrlInvoke",
      action: "lambda:InvokeFunction",
      function: "dq-dev-slack",
      principal: "*",
      invokedViaFunctionUrl: true,
    });
  });

  it("open no other function to the public", () => {
    const publicPermissions = dev.mocks
      .ofType("aws:lambda/permission:Permission")
      .filter((p) => p.inputs.principal === "*")
      .map((p) => p.inputs.function);

    expect(publicPermissions).toEqual(["dq-dev-slack", "dq-dev-slack"]);
  });
});

describe("the events", () => {
  it("go through dq's own bus", () => {
    expect(dev.mocks.ofType("aws:cloudwatch/eventBus:EventBus").map((b) => b.inputs.name)).toEqual(["dq-dev-events"]);
  });

  it.each(RULES.map((r) => [r.name, r] as const))("route rule %s with the wiring's pattern", (name, spec) => {
    const rule = dev.mocks.one("aws:cloudwatch/eventRule:EventRule", `dq-dev-${name}`).inputs;

    expect(rule.eventBusName).toBe("dq-dev-events");
    expect(JSON.parse(String(rule.eventPattern))).toEqual(spec.pattern);
  });

  it.each(RULES.map((r) => [r.name, r] as const))(
    "send rule %s to its target function, retried, then dead-lettered rather than dropped",
    (name, spec) => {
      expect(dev.mocks.one("aws:cloudwatch/eventTarget:EventTarget", `dq-dev-${name}-target`).inputs).toEqual({
        rule: `dq-dev-${name}`,
        eventBusName: "dq-dev-events",
        arn: arn("lambda", `function:dq-dev-${spec.target}`),
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 21_600 },
        deadLetterConfig: { arn: arn("sqs", "dq-dev-undelivered") },
      });
    },
  );

  it.each(RULES.map((r) => [r.name, r] as const))("let only rule %s invoke its target", (name, spec) => {
    expect(dev.mocks.one("aws:lambda/permission:Permission", `dq-dev-${name}-invoke`).inputs).toEqual({
      action: "lambda:InvokeFunction",
      function: `dq-dev-${spec.target}`,
      principal: "events.amazonaws.com",
      sourceArn: arn("events", `rule/dq-dev-events/dq-dev-${name}`),
    });
  });
});
