import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MetricName } from "../app/pipeline/context.ts";
import type { FunctionName } from "../app/wiring.ts";
import type { DqFunction } from "./functions.ts";
import { type InfraNames, METRICS_NAMESPACE, METRICS_SERVICE } from "./names.ts";

export interface DqObservabilityArgs {
  names: InfraNames;
  functions: Record<FunctionName, DqFunction>;
  workQueueName: pulumi.Input<string>;
  deadLetterQueueName: pulumi.Input<string>;
  parkedQueueName: pulumi.Input<string>;
  startDeadLetterQueueName: pulumi.Input<string>;
  /** Unhandled processor errors in 5 minutes that raise the alarm. */
  processorErrorsThreshold: number;
  /** Dead-lettered batches in 5 minutes that raise the alarm. */
  deadLetterThreshold: number;
}

const PERIOD_SECONDS = 300;

/**
 * Alarms that reach the Slack channel (alarm -> SNS topic -> notifier function) and the dashboard of sessions,
 * symbols, credits and queues.
 */
export class DqObservability extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: DqObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Observability", name, {}, opts);
    const parent = { parent: this };
    const { names } = args;
    const notifier = args.functions.notifier;

    this.topic = new aws.sns.Topic(names.alarmTopic, { name: names.alarmTopic }, parent);
    const invoke = new aws.lambda.Permission(
      `${names.alarmTopic}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: notifier.name,
        principal: "sns.amazonaws.com",
        sourceArn: this.topic.arn,
      },
      parent,
    );
    new aws.sns.TopicSubscription(
      `${names.alarmTopic}-notifier`,
      { topic: this.topic.arn, protocol: "lambda", endpoint: notifier.arn },
      { parent: this, dependsOn: [invoke] },
    );

    const alarm = (what: string, alarmArgs: Omit<aws.cloudwatch.MetricAlarmArgs, "name">) =>
      new aws.cloudwatch.MetricAlarm(
        names.alarm(what),
        {
          name: names.alarm(what),
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          evaluationPeriods: 1,
          treatMissingData: "notBreaching",
          alarmActions: [this.topic.arn],
          okActions: [this.topic.arn],
          ...alarmArgs,
        },
        parent,
      );
    const dqMetric = { namespace: METRICS_NAMESPACE, dimensions: { service: METRICS_SERVICE } };

    this.alarms = [
      // The dead-letter handler drains the DLQ at once, so "not empty" is: messages arrived or are still there.
      alarm("dead-letters", {
        alarmDescription: "Batches reached the dead-letter queue: their symbols are reported as errors",
        threshold: args.deadLetterThreshold,
        metricQueries: [
          sqsQuery("visible", "ApproximateNumberOfMessagesVisible", "Maximum", args.deadLetterQueueName),
          sqsQuery("received", "NumberOfMessagesReceived", "Sum", args.deadLetterQueueName),
          { id: "deadLetters", expression: "visible + received", label: "Dead-lettered batches", returnData: true },
        ],
      }),
      alarm("parked-dead-letters", {
        alarmDescription:
          "Dead letters the dead-letter handler could not process wait in the parking queue for a person (docs/deploy.md)",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: args.parkedQueueName },
        statistic: "Maximum",
        period: PERIOD_SECONDS,
        threshold: 1,
      }),
      alarm("processor-errors", {
        alarmDescription: "The processor function failed outside its per-message error handling",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: args.functions.processor.name },
        statistic: "Sum",
        period: PERIOD_SECONDS,
        threshold: args.processorErrorsThreshold,
      }),
      alarm("session-overdue", {
        alarmDescription: "A session is running far past its estimated finish",
        ...dqMetric,
        metricName: MetricName.sessionOverdue,
        statistic: "Maximum",
        period: PERIOD_SECONDS,
        threshold: 1,
      }),
      alarm("failed-starts", {
        alarmDescription: "A scheduled or requested session start failed for good: see the start DLQ",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: args.startDeadLetterQueueName },
        statistic: "Maximum",
        period: PERIOD_SECONDS,
        threshold: 1,
      }),
    ];

    const region = aws.getRegionOutput({}, { parent: this }).region;
    this.dashboard = new aws.cloudwatch.Dashboard(
      names.dashboard,
      {
        dashboardName: names.dashboard,
        dashboardBody: pulumi
          .all([
            region,
            args.workQueueName,
            args.deadLetterQueueName,
            pulumi.all(this.alarms.map((a) => a.arn)),
            pulumi.all(Object.values(args.functions).map((f) => f.name)),
          ])
          .apply(([r, work, dlq, alarmArns, functionNames]) =>
            JSON.stringify(dashboardBody(r, work, dlq, alarmArns, functionNames)),
          ),
      },
      parent,
    );
    this.dashboardUrl = pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
    this.registerOutputs({ topicArn: this.topic.arn, dashboardUrl: this.dashboardUrl });
  }
}

function sqsQuery(id: string, metricName: string, stat: string, queueName: pulumi.Input<string>) {
  return {
    id,
    metric: { namespace: "AWS/SQS", metricName, stat, period: PERIOD_SECONDS, dimensions: { QueueName: queueName } },
    returnData: false,
  };
}

type MetricLine = [string, string, ...string[]];

function dashboardBody(
  region: string,
  workQueue: string,
  deadLetterQueue: string,
  alarmArns: string[],
  functionNames: string[],
) {
  const dq = (...metrics: string[]): MetricLine[] =>
    metrics.map((m) => [METRICS_NAMESPACE, m, "service", METRICS_SERVICE]);
  const graph = (title: string, metrics: MetricLine[], x: number, y: number, stat = "Sum", period = 3600) => ({
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region, metrics, stat, period, view: "timeSeries", stacked: false },
  });
  const queue = (q: string, m: string): MetricLine => ["AWS/SQS", m, "QueueName", q];
  return {
    widgets: [
      { type: "alarm", x: 0, y: 0, width: 24, height: 3, properties: { title: "Alarms", alarms: alarmArns } },
      graph("Sessions", dq(MetricName.sessionsStarted, MetricName.sessionsCompleted, MetricName.sessionsFailed), 0, 3),
      graph(
        "Symbols validated",
        dq(MetricName.symbolsValidated, MetricName.symbolsPassed, MetricName.symbolsFailed, MetricName.symbolsErrored),
        12,
        3,
      ),
      graph(
        "Credits used and wasted, provider 429s",
        dq(MetricName.creditsUsed, MetricName.creditsWasted, MetricName.rateLimited),
        0,
        9,
        "Sum",
        60,
      ),
      graph(
        "Queue depth",
        [
          queue(workQueue, "ApproximateNumberOfMessagesVisible"),
          queue(workQueue, "ApproximateNumberOfMessagesDelayed"),
          queue(workQueue, "ApproximateNumberOfMessagesNotVisible"),
          queue(deadLetterQueue, "ApproximateNumberOfMessagesVisible"),
          queue(deadLetterQueue, "NumberOfMessagesReceived"),
        ],
        12,
        9,
        "Maximum",
        60,
      ),
      graph(
        "Function errors",
        functionNames.map((f): MetricLine => ["AWS/Lambda", "Errors", "FunctionName", f]),
        0,
        15,
        "Sum",
        300,
      ),
      graph(
        "Function throttles",
        functionNames.map((f): MetricLine => ["AWS/Lambda", "Throttles", "FunctionName", f]),
        12,
        15,
        "Sum",
        300,
      ),
    ],
  };
}
