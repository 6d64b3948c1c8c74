import { perContainer } from "../runtime/per-container.ts";
import { createNotifierDeps } from "../runtime/slack-runtime.ts";
import { createNotifier, type NotificationOutcome } from "../slack/notifications.ts";

const getNotifier = perContainer(async () => createNotifier(await createNotifierDeps()));

/**
 * The notifier function: dq's EventBridge events (WorkflowCompleted, WorkflowFailed, SessionProgress) and
 * SNS-delivered CloudWatch alarms, to the Slack channel.
 */
export async function handler(event: unknown, _context?: unknown): Promise<{ outcomes: NotificationOutcome[] }> {
  const notify = await getNotifier();
  return { outcomes: await notify(event) };
}
