import { describe, expect, it } from "vitest";
import {
  LOCAL_SLACK,
  LocalSlackConfigError,
  localSlackOptionsFromEnv,
  startLocalSlackApi,
} from "../../../local/slack/local-slack.ts";

describe("localSlackOptionsFromEnv", () => {
  it("leaves everything local when no Slack variable is set", () => {
    expect(localSlackOptionsFromEnv({})).toEqual({});
  });

  it("takes the variables the deployed functions read, and SLACK_APP_TOKEN for Socket Mode", () => {
    const options = localSlackOptionsFromEnv({
      SLACK_SIGNING_SECRET: "secret",
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_API_URL: "http://127.0.0.1:9/api/",
      SLACK_APP_TOKEN: "xapp-1",
      DQ_SLACK_CHANNEL: "C0OPS",
      DQ_SLACK_ADMINS: "U0ALICE",
    });

    expect(options).toMatchObject({
      signingSecret: "secret",
      botToken: "xoxb-1",
      apiUrl: "http://127.0.0.1:9/api/",
      appToken: "xapp-1",
      channel: "C0OPS",
      admins: "U0ALICE",
    });
  });

  it("refuses settings that cannot work: an API without a token, Socket Mode without a bot token or app token", () => {
    expect(() => localSlackOptionsFromEnv({ SLACK_API_URL: "http://127.0.0.1:9/api/" })).toThrow(
      /SLACK_API_URL is set but SLACK_BOT_TOKEN is not/,
    );
    expect(() => localSlackOptionsFromEnv({ SLACK_APP_TOKEN: "xapp-1" })).toThrow(LocalSlackConfigError);
    expect(() => localSlackOptionsFromEnv({ SLACK_APP_TOKEN: "xoxb-1", SLACK_BOT_TOKEN: "xoxb-1" })).toThrow(
      /must be an app-level token \(xapp-…\)/,
    );
  });
});

describe("startLocalSlackApi", () => {
  it("starts the fake Slack only when neither a bot token nor an API URL is given", async () => {
    const local = await startLocalSlackApi({});
    const external = await startLocalSlackApi({ botToken: "xoxb-1", signingSecret: "given" });
    try {
      expect(local.fakeSlack).toBeDefined();
      expect(local.env).toMatchObject({
        SLACK_API_URL: local.fakeSlack?.apiUrl,
        SLACK_BOT_TOKEN: LOCAL_SLACK.botToken,
      });
      expect(external.fakeSlack).toBeUndefined();
      expect(external.env).toMatchObject({
        SLACK_API_URL: "https://slack.com/api/",
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_SIGNING_SECRET: "given",
        DQ_SLACK_CHANNEL: LOCAL_SLACK.channel,
      });
    } finally {
      await local.fakeSlack?.stop();
    }
  });
});
