import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SecretKey } from "./config.ts";

export interface DqSecretsArgs {
  /** SSM parameter name per secret, e.g. /dq/dev/twelve-data-api-key. */
  names: Record<SecretKey, string>;
  values: Record<SecretKey, pulumi.Input<string>>;
}

/**
 * The secrets as SSM SecureString parameters (the account's aws/ssm key). Functions get the parameter names and
 * read the values at cold start; the values never appear in an environment or a stack output.
 */
export class DqSecrets extends pulumi.ComponentResource {
  readonly parameters: Record<SecretKey, aws.ssm.Parameter>;

  constructor(name: string, args: DqSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Secrets", name, {}, opts);
    const keys = Object.keys(args.names) as SecretKey[];
    this.parameters = Object.fromEntries(
      keys.map((key) => [
        key,
        new aws.ssm.Parameter(
          `${name}-${key}`,
          {
            name: args.names[key],
            type: "SecureString",
            value: pulumi.secret(args.values[key]),
            description: `dq ${key}, set with pulumi config set --secret ${key}`,
          },
          { parent: this },
        ),
      ]),
    ) as Record<SecretKey, aws.ssm.Parameter>;
    this.registerOutputs({ parameterNames: keys.map((key) => this.parameters[key].name) });
  }
}
