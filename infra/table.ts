import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TABLE } from "../app/wiring.ts";

export interface DqTableArgs {
  name: string;
  /** Deletion protection in DynamoDB and in Pulumi. @default false */
  protect?: boolean;
}

/** The one table: sessions, batches, results and the credit ledger, with the sessions index. */
export class DqTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The sessions index, named so that grants can point at it rather than at every index. */
  readonly sessionsIndexArn: pulumi.Output<string>;

  constructor(name: string, args: DqTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Table", name, {}, opts);
    const protect = args.protect ?? false;
    const index = TABLE.sessionsIndex;
    this.table = new aws.dynamodb.Table(
      args.name,
      {
        name: args.name,
        billingMode: "PAY_PER_REQUEST",
        hashKey: TABLE.partitionKey,
        rangeKey: TABLE.sortKey,
        attributes: [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, index.sortKey].map((attribute) => ({
          name: attribute,
          type: "S",
        })),
        globalSecondaryIndexes: [
          {
            name: index.name,
            keySchemas: [
              { attributeName: index.partitionKey, keyType: "HASH" },
              { attributeName: index.sortKey, keyType: "RANGE" },
            ],
            projectionType: "ALL",
          },
        ],
        ttl: { attributeName: TABLE.ttlAttribute, enabled: true },
        pointInTimeRecovery: { enabled: true },
        deletionProtectionEnabled: protect,
      },
      { parent: this, protect },
    );
    this.name = this.table.name;
    this.arn = this.table.arn;
    this.sessionsIndexArn = pulumi.interpolate`${this.table.arn}/index/${index.name}`;
    this.registerOutputs({ name: this.name, arn: this.arn, sessionsIndexArn: this.sessionsIndexArn });
  }
}
