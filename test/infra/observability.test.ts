import { beforeAll, describe, expect, it } from "vitest";
import { MetricName } from "../../app/pipeline/context.ts";
import { METRICS_NAMESPACE as EMITTED_NAMESPACE } from "../../app/runtime/telemetry.ts";
import { METRICS_NAMESPACE } from "../../infra/names.ts";
import { ACCOUNT, type BuiltStack, buildStack, promiseOf, REGION } from "./helpers.ts";

const ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("observability", () => {
  let dev: BuiltStack;
  let strict: BuiltStack;
  beforeAll(async () => {
    dev = await buildStack("dev");
    strict = await buildStack("strict", { alarmProcessorErrors: "5", alarmDeadLetterMessages: "3" });
  });

  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:dq-dev-alarms`;

  it("raises the alarms, each to the alarm topic, and tells the topic when they clear", () => {
    const alarms = dev.mocks.ofType(ALARM_TYPE).map((a) => a.inputs);

    expect(alarms.map((a) => a.name).sort()).toEqual([
      "dq-dev-dead-letters",
      "dq-dev-failed-starts",
      "dq-dev-parked-dead-letters",
      "dq-dev-processor-errors",
      "dq-dev-session-overdue",
    ]);
    for (const alarm of alarms) {
      expect(alarm.alarmActions).toEqual([topicArn]);
      expect(alarm.okActions).toEqual([topicArn]);
    }
  });

  it("delivers the alarm topic to the notifier function", () => {
    const subscription = dev.mocks.ofType("aws:sns/topicSubscription:TopicSubscription")[0]?.inputs;
    const permission = dev.mocks.one("aws:lambda/permission:Permission", "dq-dev-alarms-invoke").inputs;

    expect(subscription).toEqual({
      topic: topicArn,
      protocol: "lambda",
      endpoint: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:dq-dev-notifier`,
    });
    expect(permission).toMatchObject({
      principal: "sns.amazonaws.com",
      sourceArn: topicArn,
      function: "dq-dev-notifier",
    });
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

  it("alarms on the pipeline's SessionOverdue metric, with Powertools' service dimension", () => {
    expect(dev.mocks.one(ALARM_TYPE, "dq-dev-session-overdue").inputs).toMatchObject({
      namespace: "dq",
      metricName: "SessionOverdue",
      dimensions: { service: "dq" },
      statistic: "Maximum",
      threshold: 1,
    });
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
    const charted = body.widgets.flatMap((w) => w.properties.metrics ?? []).map((m) => `${m[0]}/${m[1]}/${m[3]}`);

    for (const metric of Object.values(MetricName).filter((m) => m !== MetricName.sessionOverdue)) {
      expect(charted).toContain(`dq/${metric}/dq`);
    }
    expect(charted).toContain("AWS/SQS/ApproximateNumberOfMessagesVisible/dq-dev-work");
    expect(charted).toContain("AWS/SQS/ApproximateNumberOfMessagesVisible/dq-dev-work-dlq");
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
