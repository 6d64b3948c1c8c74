import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV } from "../app/wiring.ts";

/** The variable naming the bucket: the notifier writes report pages to it, the Slack function opens their links. */
export const REPORTS_BUCKET_ENV = ENV.reportsBucket;

export interface DqReportsArgs {
  /** The bucket's name prefix (AWS appends a unique suffix), e.g. dq-dev-reports-. */
  bucketPrefix: string;
  /** Days a report page is kept before the lifecycle rule deletes it. @default 30 */
  expirationDays?: number;
  /** Delete the bucket with its pages on `pulumi destroy` (dev stacks). @default false */
  forceDestroy?: boolean;
}

/**
 * The session report pages: a private bucket (encrypted at rest with S3-managed keys, every public access blocked,
 * objects owned by the bucket owner so no ACL can open one) whose pages expire after `expirationDays`. The notifier
 * writes a page when a session ends and posts a signed report link; the Slack function's URL checks the link and
 * redirects to a pre-signed URL of its own, made at the click: nothing else reads a page.
 */
export class DqReports extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly #name: string;
  /** Reports live under this prefix; the lifecycle rule and the notifier's grant are limited to it. */
  static readonly PREFIX = "reports/";

  constructor(name: string, args: DqReportsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:Reports", name, {}, opts);
    this.#name = name;
    const child = { parent: this };
    this.bucket = new aws.s3.Bucket(
      name,
      { bucketPrefix: args.bucketPrefix, forceDestroy: args.forceDestroy ?? false },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: this.bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
      },
      child,
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            id: "expire-reports",
            status: "Enabled",
            filter: { prefix: DqReports.PREFIX },
            expiration: { days: args.expirationDays ?? 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      child,
    );
    this.registerOutputs({ bucketName: this.bucket.bucket });
  }

  /** The notifier's permission on the bucket: write a page, under the reports prefix only. */
  grantNotifier(role: aws.iam.Role): aws.iam.RolePolicy {
    return this.#grant("notifier", role, "s3:PutObject");
  }

  /**
   * The Slack function's permission: read a page, under the reports prefix only. It opens report links by
   * redirecting to a pre-signed URL it makes at the click, which opens only what its signer may GetObject.
   */
  grantLinkOpener(role: aws.iam.Role): aws.iam.RolePolicy {
    return this.#grant("link-opener", role, "s3:GetObject");
  }

  #grant(suffix: string, role: aws.iam.Role, action: string): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
      `${this.#name}-${suffix}`,
      {
        role: role.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ReportPages",
              Effect: "Allow",
              Action: [action],
              Resource: pulumi.interpolate`${this.bucket.arn}/${DqReports.PREFIX}*`,
            },
          ],
        }),
      },
      { parent: this },
    );
  }
}
