import { S3Client } from "@aws-sdk/client-s3";

/** An S3 client for fauxqs (local/aws/sqs.ts): path-style, because bucket subdomains of 127.0.0.1 do not resolve. */
export function s3ClientFor(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}
