import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatalake } from "../../app/adapters/datalake/create-datalake.ts";
import { ReportBucket } from "../../app/adapters/s3/report-bucket.ts";
import type { StoredResult } from "../../app/pipeline/model.ts";
import type { ChartUpload } from "../../app/report/ports.ts";
import { publishReport } from "../../app/report/publish-report.ts";
import { SlackChartPoster } from "../../app/report/slack-chart-poster.ts";
import type { LoopbackServer } from "../../local/aws/http-server.ts";
import { startFauxqs } from "../../local/aws/sqs.ts";
import { s3ClientFor } from "../helpers/s3-client.ts";
import { type SampleReport, sampleReport } from "../helpers/sample-report.ts";
import { sessionRecord } from "../helpers/session-records.ts";

const BUCKET = "dq-reports-test";

let fauxqs: LoopbackServer;
let s3: S3Client;
let sample: SampleReport;

beforeAll(async () => {
  [fauxqs, sample] = await Promise.all([startFauxqs(), sampleReport()]);
  s3 = s3ClientFor(fauxqs.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);

afterAll(async () => {
  await fauxqs?.stop();
});

function stored(): StoredResult[] {
  return sample.results.map((r) => ({ ...r, sessionId: "s-report", batch: 1, validatedAt: "2026-03-13T21:30:05Z" }));
}

describe("publishing a session's report when it ends", () => {
  it("writes the page to the bucket, links it with a pre-signed URL and posts the worst failures' charts in the thread", async () => {
    const uploads: ChartUpload[] = [];
    const calls: Record<string, unknown>[] = [];
    const poster = new SlackChartPoster({
      async filesUploadV2(args) {
        calls.push(args);
        uploads.push({
          channel: args.channel_id,
          threadTs: args.thread_ts,
          png: args.file,
          filename: args.filename,
          title: args.title,
          altText: args.alt_text ?? "",
        });
        return { ok: true };
      },
    });
    const session = sessionRecord("s-report", {
      status: "completed",
      createdAt: "2026-03-13T21:30:00Z",
      params: { datalake: sample.lake.uriTemplate, lookbackDays: 10, asOf: "2026-03-13T21:30:00Z", batchSize: 8 },
    });
    const published = await publishReport({
      session,
      results: stored(),
      datalake: createDatalake({ uriTemplate: sample.lake.uriTemplate }),
      store: new ReportBucket({ client: s3, bucket: BUCKET }),
      linkSeconds: 3600,
      thread: { poster, channel: "C0DQ", ts: "1773437400.000100" },
    });

    expect(published.key).toBe("reports/2026-03-13/s-report.html");
    const url = new URL(published.url);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    const page = await fetch(published.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("dq report · s-report");

    expect(published.posted).toEqual(sample.model.failures.slice(0, 3).map((f) => f.symbol));
    expect(uploads.map((u) => [u.channel, u.threadTs])).toEqual(Array(3).fill(["C0DQ", "1773437400.000100"]));
    for (const u of uploads) {
      expect(u.png.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(u.png.length).toBeGreaterThan(10_000);
    }
    expect(calls[0]).toMatchObject({ filename: `${published.posted[0]}-close.png` });
  });

  it("still links the page when posting a chart fails", async () => {
    const session = sessionRecord("s-report-2", {
      status: "completed",
      createdAt: "2026-03-13T21:30:00Z",
      params: { datalake: sample.lake.uriTemplate, lookbackDays: 10, asOf: "2026-03-13T21:30:00Z", batchSize: 8 },
    });
    const published = await publishReport({
      session,
      results: stored(),
      datalake: createDatalake({ uriTemplate: sample.lake.uriTemplate }),
      store: new ReportBucket({ client: s3, bucket: BUCKET }),
      thread: {
        poster: { upload: () => Promise.reject(new Error("ratelimited")) },
        channel: "C0DQ",
        ts: "1773437400.000100",
      },
    });
    expect(published.posted).toEqual([]);
    expect((await fetch(published.url)).status).toBe(200);
  });
});
