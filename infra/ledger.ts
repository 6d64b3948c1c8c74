import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { LEDGER_CLAIMS_PATH } from "../app/wiring.ts";
import { StackConfigError } from "./config.ts";

export interface DqLedgerArgs {
  stack: string;
  /** This stack's table. */
  tableName: string;
  /** The ledger's account: the hash of the provider key. */
  account: pulumi.Input<string>;
  /** Another stack's table whose ledger this stack shares (dq:ledgerTable); undefined for a key of its own. */
  sharedTable?: string;
}

/**
 * Who holds the credit ledger of this stack's provider key. The ledger must be one per key: two stacks that each
 * kept their own would each spend the whole plan, and the provider would refuse the excess. So the first stack on
 * a key claims it (an SSM parameter `/dq/ledgers/<account>` naming its table, which AWS lets only one create), and
 * a second stack on the same key in the account and region is refused, at preview already, unless it names that
 * table in dq:ledgerTable, and then uses the ledger there.
 */
export class DqLedger extends pulumi.ComponentResource {
  /** The table that holds this stack's ledger. */
  readonly tableName: string;
  readonly claim: aws.ssm.Parameter | undefined;

  constructor(name: string, args: DqLedgerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Ledger", name, {}, opts);
    this.tableName = args.sharedTable ?? args.tableName;
    const claims = aws.ssm.getParametersByPathOutput({ path: LEDGER_CLAIMS_PATH }, { parent: this });
    const account = pulumi.all([claims.names, claims.values, args.account]).apply(([names, values, account]) => {
      const at = names.indexOf(`${LEDGER_CLAIMS_PATH}/${account}`);
      checkClaim(args, at < 0 ? undefined : values[at]);
      return account;
    });
    this.claim =
      args.sharedTable === undefined
        ? new aws.ssm.Parameter(
            `${name}-claim`,
            {
              name: pulumi.interpolate`${LEDGER_CLAIMS_PATH}/${account}`,
              type: "String",
              tier: "Standard",
              insecureValue: args.tableName,
              description: `The dq stack ${args.stack} holds the credit ledger of this Twelve Data key in its table; another stack on the key sets dq:ledgerTable to it`,
            },
            { parent: this },
          )
        : undefined;
    this.registerOutputs({ tableName: this.tableName });
  }
}

/** Refuses a second ledger for one key, and a shared ledger that is not where this stack says. */
export function checkClaim(args: Pick<DqLedgerArgs, "stack" | "tableName" | "sharedTable">, owner: string | undefined) {
  if (args.sharedTable === undefined) {
    if (owner === undefined || owner === args.tableName) return;
    throw new StackConfigError(args.stack, [
      `the Twelve Data key is already used by the dq stack whose table is ${owner} (SSM ${LEDGER_CLAIMS_PATH}/…): ` +
        `set dq:ledgerTable to ${owner} so both stacks share one credit ledger, or give this stack a key of its own`,
    ]);
  }
  if (owner === args.sharedTable) return;
  throw new StackConfigError(args.stack, [
    owner === undefined
      ? `dq:ledgerTable: ${args.sharedTable} holds no ledger of this Twelve Data key: deploy the stack that owns the key first, or leave dq:ledgerTable empty`
      : `dq:ledgerTable: the ledger of this Twelve Data key is in ${owner}, not ${args.sharedTable}`,
  ]);
}
