import { beforeAll, describe, expect, it } from "vitest";
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

  it("is named to the notifier, which alone may write and read pages, under the reports prefix only", () => {
    const functions = dev.mocks.ofType("aws:lambda/function:Function");
    for (const f of functions) {
      const variables = (f.inputs.environment as { variables: Record<string, string> }).variables;
      if (String(f.inputs.name).endsWith("-notifier")) expect(variables[REPORTS_BUCKET_ENV]).toBeTruthy();
      else expect(variables, String(f.inputs.name)).not.toHaveProperty(REPORTS_BUCKET_ENV);
    }
    const grants = dev.mocks.statements().filter((s) => JSON.stringify(s.statement).includes("s3:PutObject"));
    const report = grants.filter((s) => String(s.statement.Resource).endsWith("/reports/*"));
    expect(report).toHaveLength(1);
    expect(report[0]?.policy).toBe("dq-dev-reports-notifier");
    expect(report[0]?.statement.Action).toEqual(["s3:PutObject", "s3:GetObject"]);
    const role = dev.mocks.one("aws:iam/rolePolicy:RolePolicy", "dq-dev-reports-notifier").inputs.role;
    expect(String(role)).toContain("notifier");
  });
});
