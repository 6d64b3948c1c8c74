import { beforeAll, describe, expect, it } from "vitest";
import { ENV } from "../../app/wiring.ts";
import { REPORTS_BUCKET_ENV } from "../../infra/reports.ts";
import { type BuiltStack, buildStack } from "./pulumi-mocks.ts";

const S3 = "aws:s3/";

describe("the reports bucket", () => {
  let dev: BuiltStack;
  let prod: BuiltStack;
  beforeAll(async () => {
    dev = await buildStack("dev");
    prod = await buildStack("prod");
  });

  const one = (stack: BuiltStack, type: string) => {
    const found = stack.mocks.ofType(`${S3}${type}`);
    expect(found, type).toHaveLength(1);
    return found[0]?.inputs ?? {};
  };

  it("is private: encrypted at rest, every public access blocked, no ACL can open an object", () => {
    expect(one(dev, "bucket:Bucket")).toMatchObject({ bucketPrefix: "dq-dev-reports-", forceDestroy: true });
    expect(one(dev, "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")).toMatchObject({
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    expect(one(dev, "bucketPublicAccessBlock:BucketPublicAccessBlock")).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one(dev, "bucketOwnershipControls:BucketOwnershipControls")).toMatchObject({
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
  });

  it("expires its pages by a lifecycle rule", () => {
    expect(one(dev, "bucketLifecycleConfiguration:BucketLifecycleConfiguration")).toMatchObject({
      rules: [{ status: "Enabled", filter: { prefix: "reports/" }, expiration: { days: 30 } }],
    });
  });

  it("is kept with its pages on a destroy of prod (deletion protection)", () => {
    expect(one(prod, "bucket:Bucket")).toMatchObject({ forceDestroy: false });
  });

  it("is written by the notifier alone and read by the Slack function alone, under the reports prefix only", () => {
    const functions = dev.mocks.ofType("aws:lambda/function:Function");
    const variables = (name: string) => {
      const fn = functions.find((f) => String(f.inputs.name).endsWith(`-${name}`));
      return (fn?.inputs.environment as { variables: Record<string, string> } | undefined)?.variables ?? {};
    };
    for (const f of functions) {
      const name = String(f.inputs.name);
      const vars = (f.inputs.environment as { variables: Record<string, string> }).variables;
      if (name.endsWith("-notifier") || name.endsWith("-slack")) expect(vars[REPORTS_BUCKET_ENV], name).toBeTruthy();
      else expect(vars, name).not.toHaveProperty(REPORTS_BUCKET_ENV);
    }
    // The notifier links pages through the Slack function's URL, which opens them.
    expect(variables("notifier")[ENV.reportLinkBase]).toMatch(/^https:\/\//);
    const pages = dev.mocks.statements().filter((s) => String(s.statement.Resource).endsWith("/reports/*"));
    expect(pages.map((s) => [s.policy, s.statement.Action]).sort()).toEqual([
      ["dq-dev-reports-link-opener", ["s3:GetObject"]],
      ["dq-dev-reports-notifier", ["s3:PutObject"]],
    ]);
    const role = (policy: string) => String(dev.mocks.one("aws:iam/rolePolicy:RolePolicy", policy).inputs.role);
    expect(role("dq-dev-reports-notifier")).toContain("notifier");
    expect(role("dq-dev-reports-link-opener")).toContain("slack");
  });
});
