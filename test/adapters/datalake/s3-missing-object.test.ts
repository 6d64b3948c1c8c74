import { CreateBucketCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatalake } from "../../../app/adapters/datalake/create-datalake.ts";
import { localClientConfig } from "../../../local/aws/env.ts";
import type { LoopbackServer } from "../../../local/aws/http-server.ts";
import { startFauxqs } from "../../../local/aws/sqs.ts";

// infra grants s3:ListBucket only under the datalake's prefix (an s3:prefix condition). Whether S3 then answers a
// HeadObject of a missing key with 404 or with 403 is not documented, so a missing symbol must read as "no bars"
// under both answers, and a real 403 on an object that exists must still fail.

const BUCKET = "lake-403";
const TEMPLATE = `s3://${BUCKET}/csv/{symbol}.csv`;
const CSV = "date,open,high,low,close,volume\n2025-01-02,10,11,9,10.5,1000\n";

let fauxqs: LoopbackServer;
let s3: S3Client;

/** A client whose HeadObject answers as S3 does without ListBucket: 403 Forbidden, for a missing key or for all. */
function forbiddingHead(scope: "missing" | "all"): S3Client {
  const client = new S3Client({ ...localClientConfig(fauxqs.endpoint), forcePathStyle: true });
  const forbidden = () =>
    new S3ServiceException({ name: "Forbidden", $fault: "client", $metadata: { httpStatusCode: 403 }, message: "" });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "HeadObjectCommand") return next(args);
      if (scope === "all") throw forbidden();
      try {
        return await next(args);
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) throw forbidden();
        throw error;
      }
    },
    { step: "initialize" },
  );
  return client;
}

beforeAll(async () => {
  fauxqs = await startFauxqs();
  s3 = new S3Client({ ...localClientConfig(fauxqs.endpoint), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "csv/AAPL.csv", Body: CSV }));
});

afterAll(async () => {
  s3?.destroy();
  await fauxqs?.stop();
});

describe("a symbol without an object in an S3 datalake", () => {
  it("has no bars when S3 answers 404", async () => {
    expect(await createDatalake({ uriTemplate: TEMPLATE, s3 }).readBars("MSFT")).toEqual([]);
  });

  it("has no bars when S3 answers 403, as it does to a caller it does not let list the key", async () => {
    const client = forbiddingHead("missing");

    expect(await createDatalake({ uriTemplate: TEMPLATE, s3: client }).readBars("MSFT")).toEqual([]);
    client.destroy();
  });

  it("is not confused with a symbol whose key shares its prefix", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "csv/IBM.csv.bak", Body: CSV }));
    const client = forbiddingHead("missing");

    expect(await createDatalake({ uriTemplate: TEMPLATE, s3: client }).readBars("IBM")).toEqual([]);
    client.destroy();
  });
});

describe("a symbol whose object exists but may not be read", () => {
  it("fails with S3's 403, never reads as a missing symbol", async () => {
    const client = forbiddingHead("all");

    await expect(createDatalake({ uriTemplate: TEMPLATE, s3: client }).readBars("AAPL")).rejects.toThrow();
    client.destroy();
  });

  it("still reads when S3 answers normally", async () => {
    expect(await createDatalake({ uriTemplate: TEMPLATE, s3 }).readBars("AAPL")).toHaveLength(1);
  });
});
