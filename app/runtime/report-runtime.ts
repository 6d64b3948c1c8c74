import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDatalake } from "../adapters/datalake/create-datalake.ts";
import { DynamoSessionStore } from "../adapters/dynamodb/session-store.ts";
import { ReportBucket } from "../adapters/s3/report-bucket.ts";
import { profileSettings } from "../config/profile-settings.ts";
import type { Log } from "../pipeline/context.ts";
import type { StoredResult } from "../pipeline/model.ts";
import { type PublishedReport, publishReport } from "../report/publish-report.ts";
import { reportLinkKey, signReportLink } from "../report/report-link.ts";
import { SlackChartPoster } from "../report/slack-chart-poster.ts";
import { createWebClient } from "../slack/chat.ts";
import { DetailType, ENV } from "../wiring.ts";
import { resolveProfile } from "./profile.ts";
import { resolveSecret } from "./secrets.ts";
import { asLog, createLogger } from "./telemetry.ts";

/** What the notifier reported it did, as far as the report needs: where the summary was posted. */
export interface PostedNotification {
  kind: string;
  channel?: string;
  ts?: string;
}

/** The session a final event names and the summary the notifier posted for it; undefined for any other event. */
export function finishedSummary(
  event: unknown,
  outcomes: readonly PostedNotification[],
): { sessionId: string; channel: string; ts: string } | undefined {
  const e = event as { "detail-type"?: unknown; detail?: { sessionId?: unknown } } | null;
  const type = e?.["detail-type"];
  if (type !== DetailType.workflowCompleted && type !== DetailType.workflowFailed) return undefined;
  const sessionId = e?.detail?.sessionId;
  const summary = outcomes.find((o) => o.kind === "summary" && o.channel && o.ts);
  if (typeof sessionId !== "string" || !summary?.channel || !summary.ts) return undefined;
  return { sessionId, channel: summary.channel, ts: summary.ts };
}

export type ReportAfterSummary = (
  event: unknown,
  outcomes: readonly PostedNotification[],
) => Promise<PublishedReport | undefined>;

/**
 * After the notifier has posted a finished session's summary: the session's report page into the reports bucket,
 * the worst failures' PNG charts and the page's link in the summary's thread. Undefined where no bucket is
 * configured (the local stack, a stack deployed before the bucket existed). A failure is logged, never thrown: the
 * summary is out already, and a retried event must not post it twice.
 */
export async function createReportAfterSummary(
  env: NodeJS.ProcessEnv,
  log: Log = asLog(createLogger()),
  deadline: () => number = () => Number.POSITIVE_INFINITY,
): Promise<ReportAfterSummary | undefined> {
  const bucket = env[ENV.reportsBucket];
  if (!bucket) return undefined;
  const linkSeconds = Number(env[ENV.reportLinkSeconds] ?? 604_800);
  const token = await resolveSecret(env, ENV.slackBotToken, ENV.slackBotTokenParameter);
  const linkBase = env[ENV.reportLinkBase];
  const secret = reportLinkKey(token);
  // Through the Slack function when it is there: an S3 pre-signed URL dies with the credentials that signed it
  // (a Lambda role's, within hours), whatever expiry it names.
  const link = linkBase
    ? (key: string, seconds: number) =>
        signReportLink({ base: linkBase, key, expiresAt: new Date(Date.now() + seconds * 1000), secret })
    : undefined;
  const client = createWebClient(token, env[ENV.slackApiUrl] ? { slackApiUrl: env[ENV.slackApiUrl] } : {});
  const tableName = env[ENV.tableName];
  if (!tableName) return undefined;
  const store = new DynamoSessionStore({
    client: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    tableName,
  });
  const s3 = new S3Client({});
  const reports = new ReportBucket({ client: s3, bucket });
  // The datalake is read as the pipeline reads it: the profile's column names, aliases and time-zone rule.
  const { profile } = await resolveProfile(env, () => new SSMClient({}));
  const datalakeSettings = profileSettings(profile).datalake;
  return async (event, outcomes) => {
    const finished = finishedSummary(event, outcomes);
    if (!finished) return undefined;
    try {
      const session = await store.getSession(finished.sessionId);
      if (!session) return undefined;
      const results: StoredResult[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listResults(session.sessionId, { limit: 1000, cursor });
        results.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      const days = Math.round(linkSeconds / 86_400);
      const published = await publishReport({
        session,
        results,
        datalake: createDatalake({ uriTemplate: session.params.datalake, s3, ...datalakeSettings }),
        store: reports,
        linkSeconds,
        ...(link ? { link } : {}),
        announce: async (url) => {
          await client.chat.postMessage({
            channel: finished.channel,
            thread_ts: finished.ts,
            text: `<${url}|Open the report page> (figures, every symbol, a chart per failure; the link works for ${days > 0 ? `${days} days` : `${linkSeconds} s`})`,
            unfurl_links: false,
          });
        },
        // A chart takes about a second to draw and post: none starts in the invocation's last 10 s.
        chartsUntil: () => deadline() - 10_000,
        thread: { poster: new SlackChartPoster(client), channel: finished.channel, ts: finished.ts },
      });
      return published;
    } catch (error) {
      log.error("report not published", { sessionId: finished.sessionId, error: (error as Error).message });
      return undefined;
    }
  };
}
