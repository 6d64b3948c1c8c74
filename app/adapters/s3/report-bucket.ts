import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { ReportStore } from "../../report/ports.ts";

export interface ReportBucketOptions {
  client: S3Client;
  bucket: string;
}

/**
 * Report pages in the reports bucket (encrypted at rest by the bucket's default, public access blocked, expired by
 * its lifecycle rule), opened through pre-signed GET links: the link carries the notifier's signature, so no one
 * needs AWS credentials to read a report, and nothing is readable once the link expires.
 */
export class ReportBucket implements ReportStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: ReportBucketOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
  }

  async put(key: string, html: string): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: html,
        ContentType: "text/html; charset=utf-8",
        // A page opened from the link must show, not download.
        ContentDisposition: "inline",
        CacheControl: "private, max-age=300",
      }),
    );
  }

  link(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.#client, new GetObjectCommand({ Bucket: this.#bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }
}
