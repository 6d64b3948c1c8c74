import { createNotifierDeps } from "../runtime/slack-runtime.ts";
import { createNotifier, type NotificationOutcome } from "../slack/notifications.ts";

let cached: Promise<(event: unknown) => Promise<NotificationOutcome[]>> | undefined;

/**
 * The notifier function: dq's EventBridge events (WorkflowCompleted, WorkflowFailed, SessionProgress) and
 * SNS-delivered CloudWatch alarms, to the Slack channel.
 */
export async function handler(event: unknown, _context?: unknown): Promise<{ outcomes: NotificationOutcome[] }> {
  cached ??= createNotifierDeps().then(createNotifier, (error: unknown) => {
    cached = undefined;
    throw error;
  });
  const notify = await cached;
  return { outcomes: await notify(event) };
}
