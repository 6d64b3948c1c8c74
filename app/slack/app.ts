import { App, type BlockAction, type ButtonAction, type LogLevel, type Receiver } from "@slack/bolt";
import { acknowledgeDqAction } from "./actions.ts";
import { isClosedPolicy } from "./authorization.ts";
import type { SlackMessage } from "./blocks.ts";
import { boltLogger } from "./bolt-logger.ts";
import { acknowledgeDqCommand, type DqAckDeps } from "./dq-command.ts";
import type { SlackWorkerDeps } from "./worker.ts";

export interface SlackAppDeps extends DqAckDeps {
  /** The bot token (xoxb-…). */
  botToken: string;
  /**
   * The bot's IDs (DQ_SLACK_BOT_USER_ID, DQ_SLACK_BOT_ID), from config: Bolt then never calls auth.test, whose one
   * failure at a cold start would otherwise fail every request of that container.
   */
  botUserId?: string;
  botId?: string;
  /** AwsLambdaReceiver on Lambda; anything that feeds Bolt events in tests. */
  receiver: Receiver;
  /** The Web API base URL. @default https://slack.com/api/ */
  slackApiUrl?: string;
  /** Bolt's own log lines at this level and above reach `log`. @default warn */
  boltLogLevel?: LogLevel;
}

/**
 * What the Slack function needs: the acknowledgement's ports, the asynchronous work's ports (its Slack clients
 * are made from the token), and the secret that verifies Slack's requests.
 */
export interface SlackHandlerDeps
  extends Omit<SlackAppDeps, "receiver">,
    Omit<SlackWorkerDeps, "chat" | "replies" | "clock" | "sleep"> {
  /** Verifies every request's X-Slack-Signature; requests older than five minutes are refused too. */
  signingSecret: string;
}

/**
 * The Bolt app: `/dq` and dq's buttons. Its listeners only parse, authorize, hand the work on and acknowledge, so
 * the HTTP answer (which AwsLambdaReceiver sends only once the listener has returned) never waits for Slack.
 */
export function createSlackApp(deps: SlackAppDeps): App {
  const logger = boltLogger(deps.log, deps.boltLogLevel);
  if (isClosedPolicy(deps.policy))
    deps.log.warn(
      "slack policy allows nobody: set DQ_SLACK_ALLOWED_USERS, DQ_SLACK_ALLOWED_CHANNELS or DQ_SLACK_ADMINS",
    );
  const authorization = {
    botToken: deps.botToken,
    ...(deps.botId ? { botId: deps.botId } : {}),
    ...(deps.botUserId ? { botUserId: deps.botUserId } : {}),
  };
  const app = new App({
    // An authorize function instead of a token: Bolt calls no auth.test, and nothing can fail before a listener.
    authorize: async () => authorization,
    receiver: deps.receiver,
    logger,
    clientOptions: {
      ...(deps.slackApiUrl ? { slackApiUrl: deps.slackApiUrl } : {}),
      // Nothing calls Slack while Slack waits; should something, it must not sit out a 429 or a slow answer.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 2_000,
    },
  });
  app.command("/dq", async ({ command, ack, context }) => {
    const answer = await acknowledgeDqCommand(
      {
        text: command.text ?? "",
        userId: command.user_id,
        channelId: command.channel_id,
        triggerId: command.trigger_id,
        responseUrl: command.response_url,
        retried: context.retryNum !== undefined && context.retryNum !== null,
      },
      deps,
    );
    await (answer ? ack(ephemeral(answer)) : ack());
  });
  app.action<BlockAction<ButtonAction>>(
    { type: "block_actions", action_id: /^dq_/ },
    async ({ ack, body, action, context }) => {
      await acknowledgeDqAction(
        {
          actionId: action.action_id,
          value: action.value,
          userId: body.user.id,
          channelId: body.channel?.id ?? stringOf(body.container.channel_id),
          triggerId: body.trigger_id,
          responseUrl: body.response_url,
          messageTs: body.message?.ts ?? stringOf(body.container.message_ts),
          retried: context.retryNum !== undefined && context.retryNum !== null,
        },
        deps,
      );
      await ack();
    },
  );
  return app;
}

function ephemeral(message: SlackMessage) {
  return { response_type: "ephemeral" as const, text: message.text, blocks: message.blocks };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
