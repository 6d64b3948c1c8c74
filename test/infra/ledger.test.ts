import { describe, expect, it } from "vitest";
import { accountOf } from "../../app/pipeline/planning.ts";
import { ENV } from "../../app/wiring.ts";
import { parseStackSettings, StackConfigError } from "../../infra/config.ts";
import { checkClaim } from "../../infra/ledger.ts";
import {
  ACCOUNT,
  type BuiltStack,
  buildStack,
  failureOf,
  MockAccount,
  REGION,
  REQUIRED_CONFIG,
} from "./pulumi-mocks.ts";

const KEY_ACCOUNT = accountOf(REQUIRED_CONFIG.twelveDataApiKey as string);
const CLAIM = `/dq/ledgers/${KEY_ACCOUNT}`;

const env = (stack: BuiltStack, fn: string) =>
  (
    stack.mocks.one("aws:lambda/function:Function", `dq-${stack.names.table.split("-")[1]}-${fn}`).inputs
      .environment as { variables: Record<string, string> }
  ).variables;

describe("two stacks on one provider key", () => {
  it("lets the first stack on a key claim its ledger, in its own table", async () => {
    const account = new MockAccount();

    const prod = await buildStack("prod", {}, account);

    expect(account.parameters.get(CLAIM)).toBe("dq-prod-table");
    expect(env(prod, "processor")).not.toHaveProperty(ENV.ledgerTable);
  });

  it("refuses a second stack on the same key that keeps a ledger of its own", async () => {
    const account = new MockAccount();
    account.parameters.set(CLAIM, "dq-prod-table");

    expect(() => checkClaim({ stack: "dev", tableName: "dq-dev-table" }, account.parameters.get(CLAIM))).toThrow(
      /already used by the dq stack whose table is dq-prod-table .*set dq:ledgerTable to dq-prod-table/,
    );
    expect(String(await failureOf("dev", {}, account))).toMatch(
      /stack dev: invalid config: the Twelve Data key is already used by the dq stack whose table is dq-prod-table/,
    );
    expect(account.parameters.get(CLAIM)).toBe("dq-prod-table");
  });

  it("lets a second stack share the first one's ledger when it names that table", async () => {
    const account = new MockAccount();
    await buildStack("prod", {}, account);

    const dev = await buildStack("dev", { ledgerTable: "dq-prod-table" }, account);

    expect([...account.parameters.keys()].filter((p) => p.startsWith("/dq/ledgers/"))).toEqual([CLAIM]);
    for (const fn of ["coordinator", "processor", "deadLetter"]) {
      expect(env(dev, fn)[ENV.ledgerTable]).toBe("dq-prod-table");
      expect(dev.mocks.policy(`dq-dev-${fn}-policy`).find((s) => s.Sid === "SharedLedger")).toEqual({
        Sid: "SharedLedger",
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
        Resource: [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/dq-prod-table`],
        Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [`LEDGER#${KEY_ACCOUNT}`] } },
      });
    }
    expect(dev.mocks.policy("dq-dev-slack-policy").map((s) => s.Sid)).not.toContain("SharedLedger");
  });

  it("refuses a shared ledger that is not where the stack says", () => {
    const dev = { stack: "dev", tableName: "dq-dev-table", sharedTable: "dq-prdo-table" };

    expect(() => checkClaim(dev, undefined)).toThrow(/holds no ledger of this Twelve Data key: deploy the stack/);
    expect(() => checkClaim(dev, "dq-prod-table")).toThrow(/is in dq-prod-table, not dq-prdo-table/);
    expect(() => checkClaim(dev, "dq-prdo-table")).not.toThrow();
  });

  it("refuses a ledger table that is the stack's own", () => {
    const required = { datalake: "s3://lake/{symbol}.csv", slackChannel: "C0123ABCD", alarmEmail: "a@b.example" };

    expect(() => parseStackSettings({ ...required, ledgerTable: "dq-dev-table" }, "dev")).toThrow(StackConfigError);
  });
});
