import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatalake } from "../../app/adapters/datalake/create-datalake.ts";
import { ReportBucket } from "../../app/adapters/s3/report-bucket.ts";
import type { StoredResult } from "../../app/pipeline/model.ts";
import { publishReport } from "../../app/report/publish-report.ts";
import { SlackChartPoster } from "../../app/report/slack-chart-poster.ts";
import { createWebClient } from "../../app/slack/chat.ts";
import type { LoopbackServer } from "../../local/aws/http-server.ts";
import { startFauxqs } from "../../local/aws/sqs.ts";
import { type FakeSlack, startFakeSlack } from "../../local/slack/fake-slack.ts";
import { s3ClientFor } from "../helpers/s3-client.ts";
import { type SampleReport, sampleReport } from "../helpers/sample-report.ts";
import { sessionRecord } from "../helpers/session-records.ts";

const BUCKET = "dq-reports-test";

const CHANNEL = "C0DQ";
const TOKEN = "xoxb-report-test";

let fauxqs: LoopbackServer;
let fakeSlack: FakeSlack;
let s3: S3Client;
let sample: SampleReport;

beforeAll(async () => {
  [fauxqs, sample, fakeSlack] = await Promise.all([startFauxqs(), sampleReport(), startFakeSlack({ token: TOKEN })]);
  s3 = s3ClientFor(fauxqs.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);

afterAll(async () => {
  await Promise.all([fauxqs?.stop(), fakeSlack?.stop()]);
});

/** A summary posted in the fake Slack, whose thread the charts go to, and a WebClient speaking to it over HTTP. */
async function slackThread() {
  const client = createWebClient(TOKEN, { slackApiUrl: fakeSlack.apiUrl, retries: 0 });
  const posted = await client.chat.postMessage({ channel: CHANNEL, text: "summary" });
  return { client, ts: String(posted.ts) };
}

function stored(): StoredResult[] {
  return sample.results.map((r) => ({ ...r, sessionId: "s-report", batch: 1, validatedAt: "2026-03-13T21:30:05Z" }));
}

describe("publishing a session's report when it ends", () => {
  it("writes the page to the bucket, links it with a pre-signed URL and posts the worst failures' charts in the thread", async () => {
    const thread = await slackThread();
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
      thread: { poster: new SlackChartPoster(thread.client), channel: CHANNEL, ts: thread.ts },
    });

    expect(published.key).toBe("reports/2026-03-13/s-report.html");
    const url = new URL(published.url);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("3600");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    const page = await fetch(published.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("dq report · s-report");

    // Through Slack's three steps (an upload URL, the bytes, the share in the thread), as a real WebClient makes them.
    const worst = sample.model.failures.slice(0, 3).map((f) => f.symbol);
    expect(published.posted).toEqual(worst);
    const replies = fakeSlack.thread(CHANNEL, thread.ts);
    expect(replies.map((m) => m.files?.map((f) => f.filename))).toEqual(worst.map((s) => [`${s}-close.png`]));
    for (const reply of replies) {
      const file = fakeSlack.file(reply.files?.[0]?.id ?? "");
      expect(file?.bytes?.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(file?.bytes?.length).toBeGreaterThan(10_000);
      expect(file?.altText).toMatch(/close, datalake against reference/);
    }
  });

  it("still links the page when Slack refuses the charts", async () => {
    const thread = await slackThread();
    fakeSlack.failNext("files.getUploadURLExternal", { error: "missing_scope" }, 3);
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
      thread: { poster: new SlackChartPoster(thread.client), channel: CHANNEL, ts: thread.ts },
    });
    expect(published.posted).toEqual([]);
    expect(fakeSlack.thread(CHANNEL, thread.ts)).toEqual([]);
    expect((await fetch(published.url)).status).toBe(200);
  });

  it("posts the link before any chart, and starts no chart once the function is out of time", async () => {
    const thread = await slackThread();
    const session = sessionRecord("s-report-3", {
      status: "completed",
      createdAt: "2026-03-13T21:30:00Z",
      params: { datalake: sample.lake.uriTemplate, lookbackDays: 10, asOf: "2026-03-13T21:30:00Z", batchSize: 8 },
    });
    const order: string[] = [];
    const published = await publishReport({
      session,
      results: stored(),
      datalake: createDatalake({ uriTemplate: sample.lake.uriTemplate }),
      store: new ReportBucket({ client: s3, bucket: BUCKET }),
      thread: {
        poster: { upload: async (chart) => void order.push(`chart ${chart.filename}`) },
        channel: CHANNEL,
        ts: thread.ts,
      },
      announce: async (url) => void order.push(`link ${new URL(url).pathname}`),
      // One chart's time left: the first goes, the rest do not start.
      chartsUntil: () => (order.length < 2 ? Number.POSITIVE_INFINITY : 0),
    });
    expect(order).toEqual([
      "link /dq-reports-test/reports/2026-03-13/s-report-3.html",
      `chart ${published.posted[0]}-close.png`,
    ]);
    expect(published.posted).toHaveLength(1);
  });
});
