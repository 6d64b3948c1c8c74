import { App, type LogLevel, type Receiver } from "@slack/bolt";
import { isClosedPolicy } from "./authorization.ts";
import type { SlackMessage } from "./blocks.ts";
import { boltLogger } from "./bolt-logger.ts";
import { WebApiChat } from "./chat.ts";
import { type DqCommandDeps, handleDqCommand } from "./dq-command.ts";

export interface SlackAppDeps extends DqCommandDeps {
  /** The bot token (xoxb-…). */
  botToken: string;
  /** AwsLambdaReceiver on Lambda; anything that feeds Bolt events in tests. */
  receiver: Receiver;
  /** The Web API base URL. @default https://slack.com/api/ */
  slackApiUrl?: string;
  /** Bolt's own log lines at this level and above reach `log`. @default warn */
  boltLogLevel?: LogLevel;
}

/** What the Slack function needs: the app's ports, and the secret that verifies Slack's requests. */
export interface SlackHandlerDeps extends Omit<SlackAppDeps, "receiver"> {
  /** Verifies every request's X-Slack-Signature; requests older than five minutes are refused too. */
  signingSecret: string;
}

/** The Bolt app: `/dq` and nothing else. */
export function createSlackApp(deps: SlackAppDeps): App {
  const logger = boltLogger(deps.log, deps.boltLogLevel);
  if (isClosedPolicy(deps.policy))
    deps.log.warn(
      "slack policy allows nobody: set DQ_SLACK_ALLOWED_USERS, DQ_SLACK_ALLOWED_CHANNELS or DQ_SLACK_ADMINS",
    );
  const app = new App({
    token: deps.botToken,
    receiver: deps.receiver,
    logger,
    clientOptions: {
      ...(deps.slackApiUrl ? { slackApiUrl: deps.slackApiUrl } : {}),
      // A Lambda has seconds, not the client's default half hour of retries.
      retryConfig: { retries: 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 },
    },
  });
  app.command("/dq", async ({ command, ack, respond, client, context }) => {
    const ephemeral = (message: SlackMessage) => ({
      response_type: "ephemeral" as const,
      text: message.text,
      blocks: message.blocks,
    });
    await handleDqCommand(
      {
        text: command.text ?? "",
        userId: command.user_id,
        channelId: command.channel_id,
        triggerId: command.trigger_id,
        retried: context.retryNum !== undefined && context.retryNum !== null,
        ack: (message) => (message ? ack(ephemeral(message)) : ack()),
        reply: async (message) => {
          await respond({ ...ephemeral(message), replace_original: false });
        },
        chat: new WebApiChat(client),
      },
      deps,
    );
  });
  return app;
}
