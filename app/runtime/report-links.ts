import { S3Client } from "@aws-sdk/client-s3";
import { ReportBucket } from "../adapters/s3/report-bucket.ts";
import type { Log } from "../pipeline/context.ts";
import { checkReportLink, isReportLinkPath, reportLinkKey } from "../report/report-link.ts";
import { ENV } from "../wiring.ts";
import { resolveSecret } from "./secrets.ts";

// Apart from report-runtime.ts, which draws reports: the Slack function opens links, and must not load the chart
// library and resvg to do it (its cold start is on Slack's 3-second clock).

/** A function URL request, as far as a report link needs it. */
export interface ReportLinkRequest {
  rawPath?: string;
  queryStringParameters?: Record<string, string | undefined>;
  requestContext?: { http?: { method?: string } };
}

export interface ReportLinkResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Answers a report link's request; undefined for any other request (Slack's go on to Bolt). */
export type ReportLinkRoute = (request: ReportLinkRequest) => Promise<ReportLinkResponse | undefined>;

/** The pre-signed URL a checked link redirects to: made at the click, so it outlives nothing. */
const OPEN_SECONDS = 300;

/**
 * The Slack function's answer to a report link: a redirect to the page (a pre-signed URL valid for minutes) when
 * the link's signature holds and it has not expired, else a one-line refusal. Undefined where no bucket is
 * configured.
 */
export async function createReportLinkRoute(
  env: NodeJS.ProcessEnv,
  options: { clock?: () => Date; log?: Log } = {},
): Promise<ReportLinkRoute | undefined> {
  const bucket = env[ENV.reportsBucket];
  if (!bucket) return undefined;
  const secret = reportLinkKey(await resolveSecret(env, ENV.slackBotToken, ENV.slackBotTokenParameter));
  const reports = new ReportBucket({ client: new S3Client({}), bucket });
  const clock = options.clock ?? (() => new Date());
  const text = (statusCode: number, body: string): ReportLinkResponse => ({
    statusCode,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    body,
  });
  return async (request) => {
    if (!isReportLinkPath(request.rawPath)) return undefined;
    const method = request.requestContext?.http?.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return text(405, "A report link opens with GET.");
    const check = checkReportLink(request.rawPath ?? "", request.queryStringParameters ?? {}, secret, clock());
    if (!check.ok) {
      options.log?.warn("report link refused", { reason: check.reason });
      return check.reason === "expired"
        ? text(410, "This report link has expired: `dq report <session>` writes the page again.")
        : text(403, "This is not a valid report link.");
    }
    return {
      statusCode: 302,
      headers: { location: await reports.link(check.key, OPEN_SECONDS), "cache-control": "no-store" },
      body: "",
    };
  };
}
