import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SCHEDULE } from "../app/wiring.ts";
import { assumeRolePolicy, policyDocument } from "./iam.ts";

export interface DqSchedulerArgs {
  groupName: string;
}

/**
 * dq's schedule group and the role its schedules run with: the daily start and the pump's one-time resumes.
 * Created before the functions, which pass this role to the schedules they create.
 */
export class DqScheduler extends pulumi.ComponentResource {
  readonly group: aws.scheduler.ScheduleGroup;
  readonly role: aws.iam.Role;
  /** Every schedule of the group, for grants: arn:aws:scheduler:<region>:<account>:schedule/<group>/*. */
  readonly schedulesArn: pulumi.Output<string>;

  constructor(name: string, args: DqSchedulerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Scheduler", name, {}, opts);
    this.group = new aws.scheduler.ScheduleGroup(args.groupName, { name: args.groupName }, { parent: this });
    this.role = new aws.iam.Role(
      `${args.groupName}-role`,
      {
        // Only schedules of this group, in this account, may assume it (confused-deputy guard).
        assumeRolePolicy: assumeRolePolicy("scheduler.amazonaws.com", {
          arn: this.group.arn,
          account: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
        }),
        description: `EventBridge Scheduler role for the schedules of ${args.groupName}`,
      },
      { parent: this },
    );
    this.schedulesArn = scheduleArn(this.group.arn, "*");
    this.registerOutputs({ groupName: this.group.name, roleArn: this.role.arn });
  }
}

/** A schedule's ARN from its group's: arn:...:schedule-group/<group> becomes arn:...:schedule/<group>/<name>. */
export function scheduleArn(groupArn: pulumi.Input<string>, scheduleName: string): pulumi.Output<string> {
  return pulumi.output(groupArn).apply((arn) => `${arn.replace(":schedule-group/", ":schedule/")}/${scheduleName}`);
}

/**
 * The daily schedule's fields that operators own once it exists: `/dq schedule pause|resume|set` changes them, and
 * `pulumi up` never puts them back (the stack's config is only their initial value). Pulumi owns the rest: the
 * target, its input, role, retries and dead-letter queue, the group and the flexible window.
 */
export const OPERATOR_OWNED_SCHEDULE_FIELDS = ["state", "scheduleExpression", "scheduleExpressionTimezone"];

/** What the daily schedule sends the coordinator (see SCHEDULE.dailyInput). */
export const DAILY_SCHEDULE_INPUT = SCHEDULE.dailyInput;

export interface DqDailyScheduleArgs {
  scheduler: DqScheduler;
  scheduleName: string;
  expression: string;
  timezone: string;
  enabled: boolean;
  coordinatorArn: pulumi.Input<string>;
  coordinatorName: pulumi.Input<string>;
  /** The pump's resume schedules send their message here. */
  workQueueArn: pulumi.Input<string>;
  /** Where failed starts land: undeliverable schedule invocations and coordinator runs that failed for good. */
  startDeadLetterQueueArn: pulumi.Input<string>;
}

/** The daily start, the scheduler role's grants, and where a start that fails for good goes. */
export class DqDailySchedule extends pulumi.ComponentResource {
  readonly schedule: aws.scheduler.Schedule;
  /** The scheduler role's grants, which every schedule that starts a session needs first. */
  readonly policy: aws.iam.RolePolicy;

  constructor(name: string, args: DqDailyScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:DailySchedule", name, {}, opts);
    const parent = { parent: this };
    const policy = new aws.iam.RolePolicy(
      `${args.scheduleName}-policy`,
      {
        role: args.scheduler.role.id,
        policy: policyDocument([
          { sid: "StartSession", actions: ["lambda:InvokeFunction"], resources: [args.coordinatorArn] },
          { sid: "ResumeSession", actions: ["sqs:SendMessage"], resources: [args.workQueueArn] },
          { sid: "FailedStarts", actions: ["sqs:SendMessage"], resources: [args.startDeadLetterQueueArn] },
        ]),
      },
      parent,
    );
    this.policy = policy;
    this.schedule = new aws.scheduler.Schedule(
      args.scheduleName,
      {
        name: args.scheduleName,
        groupName: args.scheduler.group.name,
        description: "Starts the daily data-quality session",
        scheduleExpression: args.expression,
        scheduleExpressionTimezone: args.timezone,
        flexibleTimeWindow: { mode: "OFF" },
        state: args.enabled ? "ENABLED" : "DISABLED",
        target: {
          arn: args.coordinatorArn,
          roleArn: args.scheduler.role.arn,
          input: JSON.stringify(DAILY_SCHEDULE_INPUT),
          retryPolicy: {
            maximumRetryAttempts: SCHEDULE.retryAttempts,
            maximumEventAgeInSeconds: SCHEDULE.maxEventAgeSeconds,
          },
          deadLetterConfig: { arn: args.startDeadLetterQueueArn },
        },
      },
      // Without ignoreChanges, the next `pulumi up --refresh` would silently undo an operator's pause or new time.
      { parent: this, dependsOn: [policy], ignoreChanges: OPERATOR_OWNED_SCHEDULE_FIELDS },
    );
    // Scheduler invokes asynchronously; a run that still fails after Lambda's own retries must not vanish.
    new aws.lambda.FunctionEventInvokeConfig(
      `${args.scheduleName}-async`,
      {
        functionName: args.coordinatorName,
        maximumRetryAttempts: SCHEDULE.retryAttempts,
        maximumEventAgeInSeconds: SCHEDULE.maxEventAgeSeconds,
        destinationConfig: { onFailure: { destination: args.startDeadLetterQueueArn } },
      },
      parent,
    );
    this.registerOutputs({ scheduleArn: this.schedule.arn });
  }
}

/**
 * The weekly deep check's field that operators own once it exists: its state, so a schedule paused in the console
 * stays paused. Its expression and input come from the profile (deepCheckSchedule), which `pulumi up` applies.
 */
export const OPERATOR_OWNED_DEEP_CHECK_FIELDS = ["state"];

export interface DqDeepCheckScheduleArgs {
  /** The daily schedule, whose scheduler role and grants this one shares. */
  daily: DqDailySchedule;
  scheduler: DqScheduler;
  scheduleName: string;
  /** deepCheckSchedule(profile): the weekly cron, in UTC, and the coordinator's input. */
  expression: string;
  input: Record<string, unknown>;
  /** Enabled with the daily schedule's initial state (`dq:scheduleEnabled`). */
  enabled: boolean;
  coordinatorArn: pulumi.Input<string>;
  startDeadLetterQueueArn: pulumi.Input<string>;
}

/**
 * The weekly deep check (app/config/profile-settings.ts): the same start as the daily one, to the same coordinator
 * with the same retries and dead-letter queue, with a year of lookback and an idempotency key of its own. The
 * coordinator's asynchronous-invocation config (one per function) is the daily schedule's.
 */
export class DqDeepCheckSchedule extends pulumi.ComponentResource {
  readonly schedule: aws.scheduler.Schedule;

  constructor(name: string, args: DqDeepCheckScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:DeepCheckSchedule", name, {}, opts);
    this.schedule = new aws.scheduler.Schedule(
      args.scheduleName,
      {
        name: args.scheduleName,
        groupName: args.scheduler.group.name,
        description: "Starts the weekly deep check: every symbol over the profile's deep lookback",
        scheduleExpression: args.expression,
        // deepCheckSchedule's cron is written in UTC, whatever zone the daily schedule's is.
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        state: args.enabled ? "ENABLED" : "DISABLED",
        target: {
          arn: args.coordinatorArn,
          roleArn: args.scheduler.role.arn,
          input: JSON.stringify(args.input),
          retryPolicy: {
            maximumRetryAttempts: SCHEDULE.retryAttempts,
            maximumEventAgeInSeconds: SCHEDULE.maxEventAgeSeconds,
          },
          deadLetterConfig: { arn: args.startDeadLetterQueueArn },
        },
      },
      { parent: this, dependsOn: [args.daily.policy], ignoreChanges: OPERATOR_OWNED_DEEP_CHECK_FIELDS },
    );
    this.registerOutputs({ scheduleArn: this.schedule.arn });
  }
}
