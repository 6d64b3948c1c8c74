import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_HANDLER } from "./bundle.ts";
import { assumeRolePolicy, policyDocument, type Statement } from "./iam.ts";

export interface DqFunctionArgs {
  /** Physical name, e.g. dq-dev-processor. */
  functionName: string;
  description: string;
  /** The bundled handler (see bundle.ts). */
  code: pulumi.Input<pulumi.asset.Archive>;
  memoryMb: number;
  timeoutSeconds: number;
  logRetentionDays: number;
  /** Non-secret settings only: secrets travel as SSM parameter names. The whole environment, NODE_OPTIONS included. */
  environment: Record<string, pulumi.Input<string>>;
  /** What the function may do beyond writing its own logs. */
  statements: readonly Statement[];
  /** Concurrency reserved for it, which also caps it. @default none: the account's unreserved pool */
  reservedConcurrency?: number;
}

/** Runtime settings every dq function shares. */
export const LAMBDA_RUNTIME = "nodejs22.x";
export const LAMBDA_ARCHITECTURE = "arm64";

/** One Lambda function with its own role (least privilege), its log group (with retention) and its code. */
export class DqFunction extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: DqFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Function", name, {}, opts);
    const parent = { parent: this };

    // Created before the function, under the name Lambda writes to, so Lambda never creates one without retention.
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays },
      parent,
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
        description: `${args.functionName}: ${args.description}`,
      },
      parent,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.id,
        policy: policyDocument([
          {
            sid: "OwnLogs",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [pulumi.interpolate`${this.logGroup.arn}:*`],
          },
          ...args.statements,
        ]),
      },
      parent,
    );
    this.function = new aws.lambda.Function(
      name,
      {
        name: args.functionName,
        description: args.description,
        runtime: LAMBDA_RUNTIME,
        architectures: [LAMBDA_ARCHITECTURE],
        handler: LAMBDA_HANDLER,
        code: args.code,
        memorySize: args.memoryMb,
        timeout: args.timeoutSeconds,
        role: this.role.arn,
        ...(args.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: args.reservedConcurrency }),
        environment: { variables: args.environment },
      },
      { parent: this, dependsOn: [this.logGroup, policy] },
    );
    this.arn = this.function.arn;
    this.name = this.function.name;
    this.registerOutputs({ arn: this.arn, name: this.name, roleArn: this.role.arn });
  }
}
