import { beforeAll, describe, expect, it } from "vitest";
import { MetricName } from "../../app/pipeline/context.ts";
import { METRICS_NAMESPACE as EMITTED_NAMESPACE, EmfMetrics, telemetryIdentity } from "../../app/runtime/telemetry.ts";
import { METRICS_NAMESPACE } from "../../infra/names.ts";
import { ACCOUNT, type BuiltStack, buildStack, promiseOf, REGION } from "./pulumi-mocks.ts";

const ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("observability", () => {
  let dev: BuiltStack;
  let strict: BuiltStack;
  let paged: BuiltStack;
  beforeAll(async () => {
    dev = await buildStack("dev");
    paged = await buildStack("paged", { alarmEmail: "", alarmTopicArn: "arn:aws:sns:eu-west-1:210987654321:pager" });
    strict = await buildStack("strict", { alarmProcessorErrors: "5", alarmDeadLetterMessages: "3" });
  });

  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:dq-dev-alarms`;
  const undelivered = `arn:aws:sqs:${REGION}:${ACCOUNT}:dq-dev-undelivered`;

  it("raises an alarm per failure that needs a person, each to the alarm topic, and tells it when they clear", () => {
    const alarms = dev.mocks.ofType(ALARM_TYPE).map((a) => a.inputs);

    expect(alarms.map((a) => a.name).sort()).toEqual([
      "dq-dev-coordinator-errors",
      "dq-dev-coverage-overdue",
      "dq-dev-dead-letters",
      "dq-dev-deadLetter-errors",
      "dq-dev-failed-starts",
      "dq-dev-notifier-errors",
      "dq-dev-parked-dead-letters",
      "dq-dev-processor-errors",
      "dq-dev-session-overdue",
      "dq-dev-slack-errors",
      "dq-dev-undelivered-notifications",
    ]);
    for (const alarm of alarms) {
      expect(alarm.alarmActions).toEqual([topicArn]);
      expect(alarm.okActions).toEqual([topicArn]);
    }
  });

  it("alarms on every function's errors", () => {
    for (const fn of ["coordinator", "processor", "deadLetter", "notifier", "slack"]) {
      expect(dev.mocks.one(ALARM_TYPE, `dq-dev-${fn}-errors`).inputs).toMatchObject({
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: `dq-dev-${fn}` },
      });
    }
  });

  it("delivers the alarm topic to the notifier function, keeping what it could not deliver", () => {
    const subscription = dev.mocks.one("aws:sns/topicSubscription:TopicSubscription", "dq-dev-alarms-notifier").inputs;
    const permission = dev.mocks.one("aws:lambda/permission:Permission", "dq-dev-alarms-invoke").inputs;

    expect(subscription).toMatchObject({
      topic: topicArn,
      protocol: "lambda",
      endpoint: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:dq-dev-notifier`,
    });
    expect(JSON.parse(String(subscription.redrivePolicy))).toEqual({ deadLetterTargetArn: undelivered });
    expect(permission).toMatchObject({
      principal: "sns.amazonaws.com",
      sourceArn: topicArn,
      function: "dq-dev-notifier",
    });
  });

  it("also sends every alarm by email, through SNS alone, so it arrives when the notifier or Slack is broken", () => {
    expect(dev.mocks.one("aws:sns/topicSubscription:TopicSubscription", "dq-dev-alarms-email").inputs).toEqual({
      topic: topicArn,
      protocol: "email",
      endpoint: "oncall@example.com",
    });
  });

  it("also sends every alarm, and its clearing, straight to the operator's own topic when one is set", () => {
    const pager = "arn:aws:sns:eu-west-1:210987654321:pager";

    for (const alarm of paged.mocks.ofType(ALARM_TYPE).map((a) => a.inputs)) {
      expect(alarm.alarmActions).toEqual([`arn:aws:sns:${REGION}:${ACCOUNT}:dq-paged-alarms`, pager]);
      expect(alarm.okActions).toEqual([`arn:aws:sns:${REGION}:${ACCOUNT}:dq-paged-alarms`, pager]);
    }
    expect(paged.mocks.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs.protocol)).toEqual([
      "lambda",
    ]);
  });

  it("keeps the notifier's failed asynchronous runs in the undelivered queue, alarmed", () => {
    expect(
      dev.mocks.one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "dq-dev-notifier-async").inputs,
    ).toEqual({
      functionName: "dq-dev-notifier",
      maximumRetryAttempts: 2,
      maximumEventAgeInSeconds: 21_600,
      destinationConfig: { onFailure: { destination: undelivered } },
    });
    expect(dev.mocks.one(ALARM_TYPE, "dq-dev-undelivered-notifications").inputs).toMatchObject({
      namespace: "AWS/SQS",
      dimensions: { QueueName: "dq-dev-undelivered" },
      threshold: 1,
    });
  });

  it("lets only dq's rules and alarm topic put into the undelivered queue", () => {
    const policy = JSON.parse(
      String(dev.mocks.one("aws:sqs/queuePolicy:QueuePolicy", "dq-dev-undelivered-policy").inputs.policy),
    ) as { Statement: { Principal: { Service: string }; Action: string; Condition: unknown }[] };

    expect(policy.Statement.map((s) => [s.Principal.Service, s.Action, s.Condition])).toEqual([
      [
        "events.amazonaws.com",
        "sqs:SendMessage",
        {
          ArnEquals: {
            "aws:SourceArn": [
              `arn:aws:events:${REGION}:${ACCOUNT}:rule/dq-dev-events/dq-dev-workflow-finished`,
              `arn:aws:events:${REGION}:${ACCOUNT}:rule/dq-dev-events/dq-dev-session-progress`,
            ],
          },
        },
      ],
      ["sns.amazonaws.com", "sqs:SendMessage", { ArnEquals: { "aws:SourceArn": topicArn } }],
    ]);
  });

  it("alarms when batches reach the DLQ, even though its handler drains it at once", () => {
    const alarm = dev.mocks.one(ALARM_TYPE, "dq-dev-dead-letters").inputs;
    const queries = alarm.metricQueries as {
      id: string;
      expression?: string;
      returnData?: boolean;
      metric?: { dimensions: object };
    }[];

    expect(alarm.threshold).toBe(1);
    expect(queries.find((q) => q.returnData !== false && q.expression)?.expression).toBe("visible + received");
    for (const q of queries.filter((q) => q.metric)) {
      expect(q.metric?.dimensions).toEqual({ QueueName: "dq-dev-work-dlq" });
    }
  });

  it("alarms on processor errors at the configured threshold", () => {
    expect(dev.mocks.one(ALARM_TYPE, "dq-dev-processor-errors").inputs).toMatchObject({
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: "dq-dev-processor" },
      threshold: 1,
    });
    expect(strict.mocks.one(ALARM_TYPE, "dq-strict-processor-errors").inputs.threshold).toBe(5);
    expect(strict.mocks.one(ALARM_TYPE, "dq-strict-dead-letters").inputs.threshold).toBe(3);
  });

  it("watches the namespace the functions write their metrics to", () => {
    expect(METRICS_NAMESPACE).toBe(EMITTED_NAMESPACE);
  });

  it("alarms on the pipeline's SessionOverdue metric of this stack only", () => {
    expect(dev.mocks.one(ALARM_TYPE, "dq-dev-session-overdue").inputs).toMatchObject({
      namespace: "dq",
      metricName: "SessionOverdue",
      dimensions: { service: "dq-dev", stack: "dev" },
      statistic: "Maximum",
      threshold: 1,
      // Longer than the 15 minutes between two reports of an overdue session by its pump message.
      period: 1_200,
    });
    expect(strict.mocks.one(ALARM_TYPE, "dq-strict-session-overdue").inputs.dimensions).toEqual({
      service: "dq-strict",
      stack: "strict",
    });
  });

  it("watches exactly the dimensions a function of the stack writes, from the environment infra gives it", () => {
    const variables = (
      dev.mocks.one("aws:lambda/function:Function", "dq-dev-processor").inputs.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    const emf = new EmfMetrics(telemetryIdentity(variables));
    emf.count(MetricName.sessionOverdue, 1);

    const written = emf.metrics.serializeMetrics() as unknown as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
    };
    const [directive] = written._aws.CloudWatchMetrics;
    const dimensions = Object.fromEntries((directive?.Dimensions[0] ?? []).map((d) => [d, written[d]]));

    expect(directive?.Namespace).toBe("dq");
    expect(dimensions).toEqual(dev.mocks.one(ALARM_TYPE, "dq-dev-session-overdue").inputs.dimensions);
  });

  it("alarms when a start failed for good", () => {
    expect(dev.mocks.one(ALARM_TYPE, "dq-dev-failed-starts").inputs).toMatchObject({
      namespace: "AWS/SQS",
      dimensions: { QueueName: "dq-dev-start-dlq" },
    });
  });

  it("charts sessions, symbols, credits and both queues on the dashboard", () => {
    const dashboard = dev.mocks.one("aws:cloudwatch/dashboard:Dashboard", "dq-dev").inputs;
    const body = JSON.parse(String(dashboard.dashboardBody)) as { widgets: { properties: { metrics?: string[][] } }[] };
    const charted = body.widgets.flatMap((w) => w.properties.metrics ?? []).map((m) => m.join("/"));

    for (const metric of Object.values(MetricName).filter((m) => m !== MetricName.sessionOverdue)) {
      expect(charted).toContain(`dq/${metric}/service/dq-dev/stack/dev`);
    }
    expect(charted).toContain("AWS/SQS/ApproximateNumberOfMessagesVisible/QueueName/dq-dev-work");
    expect(charted).toContain("AWS/SQS/ApproximateNumberOfMessagesVisible/QueueName/dq-dev-work-dlq");
  });

  it("outputs the dashboard's console URL", async () => {
    expect(await promiseOf(dev.outputs.dashboardUrl)).toBe(
      `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/dq-dev`,
    );
  });
});

describe("the parking queue", () => {
  it("alarms while a parked dead letter waits for a person", async () => {
    const dev = await buildStack("dev");

    expect(dev.mocks.one(ALARM_TYPE, "dq-dev-parked-dead-letters").inputs).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "dq-dev-work-parked" },
      threshold: 1,
    });
  });
});
