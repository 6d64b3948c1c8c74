import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { encodeUniverse, type Universe } from "../app/config/universe-parameters.ts";

export interface DqUniverseArgs {
  /** The SSM path, e.g. /dq/dev/universe: the parts are <path>/000, <path>/001, ... */
  path: string;
  universe: Universe;
}

/**
 * The stack's explicit universe as SSM String parameters of the Standard tier (4 KB each, free), as many as it
 * takes: a universe of any size deploys, where the functions' environment (4 KB in all) would refuse a few hundred
 * tickers. The coordinator reads them at cold start (app/runtime/universe.ts).
 */
export class DqUniverse extends pulumi.ComponentResource {
  readonly parameters: aws.ssm.Parameter[];
  /** The ARN of the path, which ssm:GetParametersByPath is authorized against. */
  readonly pathArn: pulumi.Output<string>;

  constructor(name: string, args: DqUniverseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Universe", name, {}, opts);
    const parts = encodeUniverse(args.universe);
    this.parameters = parts.map(
      (value, i) =>
        new aws.ssm.Parameter(
          `${name}-${String(i).padStart(3, "0")}`,
          {
            name: `${args.path}/${String(i).padStart(3, "0")}`,
            type: "String",
            tier: "Standard",
            // Not a secret: shown in previews, so an operator sees which symbols a change adds or drops.
            insecureValue: value,
            description: `dq universe, part ${i + 1} of ${parts.length} (from dq:symbols and dq:denySymbols)`,
          },
          { parent: this },
        ),
    );
    const first = this.parameters[0] as aws.ssm.Parameter;
    this.pathArn = first.arn.apply((arn) => arn.slice(0, arn.lastIndexOf("/")));
    this.registerOutputs({ pathArn: this.pathArn, parts: parts.length });
  }
}
