import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type FunctionName, RULES } from "../app/wiring.ts";
import type { DqFunction } from "./functions.ts";

export interface DqEventsArgs {
  busName: string;
}

/** dq's own event bus. Created before the functions (they publish to it); the rules follow them. */
export class DqEventBus extends pulumi.ComponentResource {
  readonly bus: aws.cloudwatch.EventBus;

  constructor(name: string, args: DqEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:EventBus", name, {}, opts);
    this.bus = new aws.cloudwatch.EventBus(args.busName, { name: args.busName }, { parent: this });
    this.registerOutputs({ name: this.bus.name, arn: this.bus.arn });
  }
}

export interface DqEventRulesArgs {
  bus: aws.cloudwatch.EventBus;
  /** The functions the wiring's RULES may target. */
  functions: Partial<Record<FunctionName, DqFunction>>;
  /** Rule name prefix, e.g. dq-dev. */
  prefix: string;
  /** Where an event goes when its target cannot be invoked after the retries (its queue policy lets the rules in). */
  deadLetterQueueArn: pulumi.Input<string>;
}

/** How long EventBridge keeps trying a target that cannot be invoked (throttled, missing permission). */
export const EVENT_TARGET_RETRY = { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 21_600 } as const;

/**
 * One rule per wiring RULE, its target (retried, then dead-lettered rather than dropped), and the permission that
 * lets EventBridge invoke the target.
 */
export class DqEventRules extends pulumi.ComponentResource {
  readonly rules: aws.cloudwatch.EventRule[];

  constructor(name: string, args: DqEventRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:EventRules", name, {}, opts);
    const parent = { parent: this };
    this.rules = RULES.map((spec) => {
      const target = args.functions[spec.target];
      if (!target) throw new Error(`rule ${spec.name} targets ${spec.target}, which this stack does not deploy`);
      const ruleName = `${args.prefix}-${spec.name}`;
      const rule = new aws.cloudwatch.EventRule(
        ruleName,
        {
          name: ruleName,
          description: spec.description,
          eventBusName: args.bus.name,
          eventPattern: JSON.stringify(spec.pattern),
        },
        parent,
      );
      new aws.lambda.Permission(
        `${ruleName}-invoke`,
        {
          action: "lambda:InvokeFunction",
          function: target.name,
          principal: "events.amazonaws.com",
          sourceArn: rule.arn,
        },
        parent,
      );
      new aws.cloudwatch.EventTarget(
        `${ruleName}-target`,
        {
          rule: rule.name,
          eventBusName: args.bus.name,
          arn: target.arn,
          retryPolicy: EVENT_TARGET_RETRY,
          deadLetterConfig: { arn: args.deadLetterQueueArn },
        },
        parent,
      );
      return rule;
    });
    this.registerOutputs({ ruleArns: this.rules.map((r) => r.arn) });
  }
}
