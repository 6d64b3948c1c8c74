import type { Context } from "aws-lambda";
import { perContainer } from "../runtime/per-container.ts";
import { createReportAfterSummary } from "../runtime/report-runtime.ts";
import { createNotifierDeps } from "../runtime/slack-runtime.ts";
import { createNotifier, type NotificationOutcome } from "../slack/notifications.ts";

/** What an invocation keeps of its time: no wait for Slack's rate limits runs into Lambda's timeout. */
const TIME_MARGIN_MS = 3_000;
let deadline = Number.POSITIVE_INFINITY;

const getNotifier = perContainer(async () =>
  createNotifier(await createNotifierDeps(process.env, undefined, () => deadline)),
);
const getReportStep = perContainer(() => createReportAfterSummary(process.env, undefined, () => deadline));

/**
 * The notifier function: dq's EventBridge events (WorkflowCompleted, WorkflowFailed, SessionProgress) and
 * SNS-delivered CloudWatch alarms, to the Slack channel. Once a finished session's summary is out, its report page
 * goes to the reports bucket and its link and worst charts to the summary's thread (where a bucket is configured).
 */
export async function handler(event: unknown, context?: Context): Promise<{ outcomes: NotificationOutcome[] }> {
  const notify = await getNotifier();
  deadline = context ? Date.now() + context.getRemainingTimeInMillis() - TIME_MARGIN_MS : Number.POSITIVE_INFINITY;
  const outcomes = await notify(event);
  const report = await getReportStep();
  await report?.(event, outcomes);
  return { outcomes };
}
