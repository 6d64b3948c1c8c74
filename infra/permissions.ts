import * as pulumi from "@pulumi/pulumi";
import type { FunctionName } from "../app/wiring.ts";
import type { DatalakeLocation, SecretKey } from "./config.ts";
import type { Statement } from "./iam.ts";

/** The ARNs the functions' grants point at. */
export interface GrantTargets {
  tableArn: pulumi.Input<string>;
  sessionsIndexArn: pulumi.Input<string>;
  workQueueArn: pulumi.Input<string>;
  deadLetterQueueArn: pulumi.Input<string>;
  startDeadLetterQueueArn: pulumi.Input<string>;
  undeliveredQueueArn: pulumi.Input<string>;
  eventBusArn: pulumi.Input<string>;
  /** Every schedule in dq's own schedule group (the pump's one-time schedules have generated names). */
  groupSchedulesArn: pulumi.Input<string>;
  dailyScheduleArn: pulumi.Input<string>;
  /** The weekly deep check's schedule, whether or not the profile has one now. */
  deepCheckScheduleArn: pulumi.Input<string>;
  schedulerRoleArn: pulumi.Input<string>;
  parameterArns: Record<SecretKey, pulumi.Input<string>>;
  /** The path of the universe parameters, which GetParametersByPath is authorized against. */
  universePathArn: pulumi.Input<string>;
  /** The datalake profile's parameter, when the profile is too large for the environments (infra/profile.ts). */
  profileParameterArn?: pulumi.Input<string>;
  /** The AWS partition (aws, aws-cn, aws-us-gov), for the ARNs built here. */
  partition: pulumi.Input<string>;
  /** Another stack's table whose credit ledger this stack shares, and the ledger's account there. */
  sharedLedger?: { tableArn: pulumi.Input<string>; account: pulumi.Input<string> };
  datalake: DatalakeLocation;
  /** Known once the coordinator exists; only the Slack function needs it. */
  coordinatorArn?: pulumi.Input<string>;
}

// The calls of app/adapters/dynamodb (GetCommand, BatchGetCommand, PutCommand, UpdateCommand, BatchWriteCommand)
// and the sessions index's Query. No scan, no delete: items leave through TTL.
const ITEM_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:BatchGetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:BatchWriteItem",
] as const;

function sendTo(sid: string, queueArn: pulumi.Input<string>): Statement {
  return { sid, actions: ["sqs:SendMessage"], resources: [queueArn] };
}

/** What Lambda's SQS event source does with the function's role. */
function consume(sid: string, queueArn: pulumi.Input<string>): Statement {
  return {
    sid,
    actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
    resources: [queueArn],
  };
}

function passSchedulerRole(t: GrantTargets): Statement {
  return {
    sid: "PassSchedulerRole",
    actions: ["iam:PassRole"],
    resources: [t.schedulerRoleArn],
    condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
  };
}

// The SecureString parameters use the account's AWS managed aws/ssm key, whose key policy already lets principals
// of the account decrypt through SSM: no kms:Decrypt grant is needed (a customer managed key would need one).
function readParameters(sid: string, t: GrantTargets, keys: readonly SecretKey[]): Statement {
  return { sid, actions: ["ssm:GetParameter"], resources: keys.map((k) => t.parameterArns[k]) };
}

/**
 * What every function that runs the pipeline (app/runtime/pipeline-runtime.ts) may do: sessions, batches,
 * results and the credit ledger in the table; the pump's messages and its pause-and-resume schedules; the session
 * events. The provider key is the processor's alone: the others get the ledger's account, the key's hash.
 */
function pipeline(t: GrantTargets): Statement[] {
  return [
    { sid: "TableItems", actions: ITEM_ACTIONS, resources: [t.tableArn] },
    { sid: "TableQuery", actions: ["dynamodb:Query"], resources: [t.tableArn, t.sessionsIndexArn] },
    sendTo("SendWork", t.workQueueArn),
    {
      sid: "ResumeSchedules",
      actions: ["scheduler:CreateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"],
      resources: [t.groupSchedulesArn],
    },
    passSchedulerRole(t),
    { sid: "PutEvents", actions: ["events:PutEvents"], resources: [t.eventBusArn] },
    ...(t.sharedLedger === undefined ? [] : [sharedLedger(t.sharedLedger)]),
    ...readProfile(t),
  ];
}

/** The profile's parameter, read at cold start by the pipeline's functions and the notifier; none when it is inline. */
function readProfile(t: GrantTargets): Statement[] {
  if (t.profileParameterArn === undefined) return [];
  return [{ sid: "ReadProfile", actions: ["ssm:GetParameter"], resources: [t.profileParameterArn] }];
}

/** The ledger items of this stack's key in another stack's table (the calls of app/adapters/dynamodb/credit-ledger.ts). */
function sharedLedger(shared: NonNullable<GrantTargets["sharedLedger"]>): Statement {
  return {
    sid: "SharedLedger",
    actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    resources: [shared.tableArn],
    condition: {
      "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [pulumi.interpolate`LEDGER#${shared.account}`] },
    },
  };
}

/**
 * The Slack function is public (behind its signature check), so it gets only what its code calls: it reads
 * sessions, batches and results, cancels a session (its update, its coverage, the final event, the deletion of a
 * pending resume), reads and changes the daily schedule, and hands every start and retry to the coordinator. No ledger
 * item, no work queue, no new schedule, no provider key.
 */
function slackCalls(t: GrantTargets & { coordinatorArn: pulumi.Input<string> }): Statement[] {
  return [
    {
      sid: "SessionItems",
      actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
      resources: [t.tableArn],
      condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SESSION#*"] } },
    },
    { sid: "SessionsIndex", actions: ["dynamodb:Query"], resources: [t.sessionsIndexArn] },
    // `/dq status` reads the universe's coverage; a cancel records what the session checked into it (its symbols'
    // states, 25 to a BatchWriteItem, and the figures), as every end of a session over the universe does.
    {
      sid: "CoverageItems",
      actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"],
      resources: [t.tableArn],
      condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["COVERAGE#*"] } },
    },
    { sid: "PutEvents", actions: ["events:PutEvents"], resources: [t.eventBusArn] },
    { sid: "CancelResume", actions: ["scheduler:DeleteSchedule"], resources: [t.groupSchedulesArn] },
    {
      sid: "DailySchedule",
      actions: ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
      // `/dq schedule pause` pauses the weekly deep check with the daily run.
      resources: [t.dailyScheduleArn, t.deepCheckScheduleArn],
    },
    // UpdateSchedule passes the schedule's role again.
    passSchedulerRole(t),
    { sid: "StartSession", actions: ["lambda:InvokeFunction"], resources: [t.coordinatorArn] },
    // Every request is acknowledged at once and its work runs in an asynchronous invocation of the function itself.
    { sid: "InvokeSelf", actions: ["lambda:InvokeFunction"], resources: [slackArnBeside(t.coordinatorArn)] },
    slackItems(t),
    readParameters("ReadSlackSecrets", t, ["slackSigningSecret", "slackBotToken"]),
    // It builds the pipeline (to read and steer sessions), which reads the profile.
    ...readProfile(t),
  ];
}

/** The Slack function's own ARN, beside the coordinator's: both are named dq-<stack>-<function> (resourceNames). */
function slackArnBeside(coordinatorArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(coordinatorArn).apply((arn) => arn.replace(/-coordinator$/, "-slack"));
}

/** Slack's own items (mutes, each universe's last failures, what was posted per session), and only those. */
function slackItems(t: GrantTargets): Statement {
  return {
    sid: "SlackItems",
    actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    resources: [t.tableArn],
    condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SLACK#*"] } },
  };
}

function bucketArn(t: GrantTargets): pulumi.Output<string> {
  return pulumi.interpolate`arn:${t.partition}:s3:::${t.datalake.bucket}`;
}

/**
 * ListObjectsV2 under the template's fixed prefix: for the universe, and to tell a missing object from a refused
 * one (S3 may answer a HeadObject of a missing key with 403 when ListBucket is limited by s3:prefix; the reader
 * then lists that key, which this condition allows).
 */
function listDatalake(t: GrantTargets): Statement {
  const { keyPrefix } = t.datalake;
  return {
    sid: "DatalakeList",
    actions: ["s3:ListBucket"],
    resources: [bucketArn(t)],
    ...(keyPrefix === "" ? {} : { condition: { StringLike: { "s3:prefix": [keyPrefix, `${keyPrefix}*`] } } }),
  };
}

/** GetObject and HeadObject (authorized as GetObject) of the bars under the prefix. */
function readDatalake(t: GrantTargets): Statement {
  return {
    sid: "DatalakeRead",
    actions: ["s3:GetObject"],
    resources: [pulumi.interpolate`${bucketArn(t)}/${t.datalake.keyPrefix}*`],
  };
}

/**
 * What each function may do: only the actions its code calls, only on the resources it uses. Metrics go out as
 * Powertools' embedded metric format in the logs, so no function needs cloudwatch:PutMetricData.
 */
export const GRANTS: Record<FunctionName, (t: GrantTargets) => Statement[]> = {
  coordinator: (t) => [
    ...pipeline(t),
    // The asynchronous-invocation failure destination delivers with the function's own role.
    sendTo("SendFailedStart", t.startDeadLetterQueueArn),
    listDatalake(t),
    { sid: "ReadUniverse", actions: ["ssm:GetParametersByPath"], resources: [t.universePathArn] },
  ],
  processor: (t) => [
    ...pipeline(t),
    readParameters("ReadProviderKey", t, ["twelveDataApiKey"]),
    consume("ConsumeWork", t.workQueueArn),
    listDatalake(t),
    readDatalake(t),
  ],
  deadLetter: (t) => [...pipeline(t), consume("ConsumeDeadLetters", t.deadLetterQueueArn)],
  notifier: (t) => [
    readParameters("ReadSlackToken", t, ["slackBotToken"]),
    // A summary covers every result of its session, read page by page; it never writes a session item.
    {
      sid: "ReadSessions",
      actions: ["dynamodb:GetItem", "dynamodb:Query"],
      resources: [t.tableArn],
      condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SESSION#*"] } },
    },
    slackItems(t),
    // The asynchronous-invocation failure destination delivers with the function's own role.
    sendTo("SendUndelivered", t.undeliveredQueueArn),
    // The report page charts each failing symbol's bars, read from the datalake as the profile says.
    listDatalake(t),
    readDatalake(t),
    ...readProfile(t),
  ],
  slack: (t) => {
    const { coordinatorArn } = t;
    if (coordinatorArn === undefined) throw new Error("the Slack function's grants need the coordinator's ARN");
    return slackCalls({ ...t, coordinatorArn });
  },
};
