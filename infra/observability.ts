import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MetricName } from "../app/pipeline/context.ts";
import type { FunctionName } from "../app/wiring.ts";
import type { DqFunction } from "./functions.ts";
import { type InfraNames, METRICS_NAMESPACE } from "./names.ts";

export interface DqObservabilityArgs {
  names: InfraNames;
  functions: Record<FunctionName, DqFunction>;
  workQueueName: pulumi.Input<string>;
  deadLetterQueueName: pulumi.Input<string>;
  parkedQueueName: pulumi.Input<string>;
  startDeadLetterQueueName: pulumi.Input<string>;
  /** Where events, alarm notifications and notifier runs that could not be delivered wait, alarmed. */
  undeliveredQueue: aws.sqs.Queue;
  /** The EventBridge rules whose targets dead-letter to the undelivered queue. */
  ruleArns: pulumi.Input<string>[];
  /** Unhandled processor errors in 5 minutes that raise the alarm. */
  processorErrorsThreshold: number;
  /** Dead-lettered batches in 5 minutes that raise the alarm. */
  deadLetterThreshold: number;
  /** Alarms also go to this address (through the alarm topic, not the notifier). */
  alarmEmail?: string;
  /** Alarms also go to this topic of the operator's, directly from CloudWatch. */
  alarmTopicArn?: string;
  /** The AWS console's host in the stack's partition, for the dashboard's link. */
  consoleHost: pulumi.Input<string>;
}

const PERIOD_SECONDS = 300;
const OVERDUE_PERIOD_SECONDS = 1_200;

/** Lambda's asynchronous retries of the notifier (its most) and how old an event may get (its most, 6 hours). */
export const NOTIFIER_ASYNC = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 } as const;

/**
 * Alarms and the dashboard of sessions, symbols, credits and queues. Every alarm goes to the alarm topic, which the
 * notifier posts to Slack, and also to a destination that does not depend on dq working: an email subscription of
 * the topic and/or the operator's own topic. What the notifier could not take (events, alarm notifications,
 * asynchronous runs that failed) lands in the undelivered queue, which is alarmed too.
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
    const undelivered = args.undeliveredQueue;

    this.topic = new aws.sns.Topic(names.alarmTopic, { name: names.alarmTopic }, parent);
    // Only dq's own rules and alarm topic may put what they could not deliver into the undelivered queue.
    const undeliveredPolicy = new aws.sqs.QueuePolicy(
      `${names.undeliveredQueue}-policy`,
      {
        queueUrl: undelivered.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "EventTargetsDeadLetter",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: undelivered.arn,
              Condition: { ArnEquals: { "aws:SourceArn": args.ruleArns } },
            },
            {
              Sid: "AlarmTopicDeadLetter",
              Effect: "Allow",
              Principal: { Service: "sns.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: undelivered.arn,
              Condition: { ArnEquals: { "aws:SourceArn": this.topic.arn } },
            },
          ],
        }),
      },
      parent,
    );
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
      {
        topic: this.topic.arn,
        protocol: "lambda",
        endpoint: notifier.arn,
        // SNS retries a Lambda endpoint for hours, then drops the message: keep it instead.
        redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: undelivered.arn }),
      },
      { parent: this, dependsOn: [invoke, undeliveredPolicy] },
    );
    if (args.alarmEmail !== undefined) {
      new aws.sns.TopicSubscription(
        `${names.alarmTopic}-email`,
        { topic: this.topic.arn, protocol: "email", endpoint: args.alarmEmail },
        parent,
      );
    }
    // EventBridge and SNS invoke the notifier asynchronously: a run that fails after Lambda's retries is kept.
    new aws.lambda.FunctionEventInvokeConfig(
      `${names.function("notifier")}-async`,
      {
        functionName: notifier.name,
        ...NOTIFIER_ASYNC,
        destinationConfig: { onFailure: { destination: undelivered.arn } },
      },
      parent,
    );

    const actions = [this.topic.arn, ...(args.alarmTopicArn === undefined ? [] : [args.alarmTopicArn])];
    const alarm = (what: string, alarmArgs: Omit<aws.cloudwatch.MetricAlarmArgs, "name">) =>
      new aws.cloudwatch.MetricAlarm(
        names.alarm(what),
        {
          name: names.alarm(what),
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          evaluationPeriods: 1,
          treatMissingData: "notBreaching",
          alarmActions: actions,
          okActions: actions,
          ...alarmArgs,
        },
        parent,
      );
    const dqMetric = { namespace: METRICS_NAMESPACE, dimensions: names.metricsDimensions };
    const queueAlarm = (what: string, description: string, queueName: pulumi.Input<string>) =>
      alarm(what, {
        alarmDescription: description,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: queueName },
        statistic: "Maximum",
        period: PERIOD_SECONDS,
        threshold: 1,
      });
    // One Errors alarm per function: a function that fails outside its own error handling, whichever it is.
    const functionErrors = (Object.keys(args.functions) as FunctionName[]).map((fn) =>
      alarm(`${fn}-errors`, {
        alarmDescription: `The ${fn} function failed outside its own error handling`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: args.functions[fn].name },
        statistic: "Sum",
        period: PERIOD_SECONDS,
        threshold: fn === "processor" ? args.processorErrorsThreshold : 1,
      }),
    );

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
      queueAlarm(
        "parked-dead-letters",
        "Dead letters the dead-letter handler could not process wait in the parking queue for a person (docs/deploy.md)",
        args.parkedQueueName,
      ),
      ...functionErrors,
      alarm("session-overdue", {
        alarmDescription: "A session is running far past its estimated finish",
        ...dqMetric,
        metricName: MetricName.sessionOverdue,
        statistic: "Maximum",
        // An overdue session's pump message reports it at least every 15 minutes (SQS's longest delay), so a
        // 20-minute period always holds a report while one is overdue, and the alarm clears once none is.
        period: OVERDUE_PERIOD_SECONDS,
        threshold: 1,
      }),
      alarm("coverage-overdue", {
        alarmDescription:
          "Coverage mode: symbols of the universe were last verified longer ago than the rotation allows (dq status shows which figure)",
        ...dqMetric,
        metricName: MetricName.coverageOverdue,
        statistic: "Maximum",
        // Counted once a daily session, when its round opens: a day's period always holds the latest count.
        period: 86_400,
        threshold: 1,
      }),
      queueAlarm(
        "failed-starts",
        "A scheduled start, a requested start or a session's resume failed for good: see the start DLQ",
        args.startDeadLetterQueueName,
      ),
      queueAlarm(
        "undelivered-notifications",
        "Events or alarm notifications did not reach the notifier, or it failed on them: see the undelivered queue",
        undelivered.name,
      ),
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
            JSON.stringify(dashboardBody(r, names.metricsDimensions, work, dlq, alarmArns, functionNames)),
          ),
      },
      parent,
    );
    this.dashboardUrl = pulumi.interpolate`https://${region}.${args.consoleHost}/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
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
  dimensions: Record<string, string>,
  workQueue: string,
  deadLetterQueue: string,
  alarmArns: string[],
  functionNames: string[],
) {
  const dq = (...metrics: string[]): MetricLine[] =>
    metrics.map((m) => [METRICS_NAMESPACE, m, ...Object.entries(dimensions).flat()]);
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
      // Coverage mode's figure, counted once a daily session: symbols verified longer ago than the rotation allows.
      graph("Coverage: overdue symbols", dq(MetricName.coverageOverdue), 0, 21, "Maximum", 86_400),
    ],
  };
}
