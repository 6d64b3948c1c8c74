import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DqFunction } from "./functions.ts";

/** The path Bolt's receiver answers on, appended to the function URL. */
export const SLACK_EVENTS_PATH = "slack/events";

export interface DqSlackEndpointArgs {
  slack: DqFunction;
}

/**
 * The public HTTPS endpoint Slack calls. No AWS auth: Slack cannot sign AWS requests, and the app verifies
 * Slack's own request signature with the signing secret. Lambda adds the public invoke permissions for an
 * authorization type of NONE itself.
 */
export class DqSlackEndpoint extends pulumi.ComponentResource {
  readonly url: aws.lambda.FunctionUrl;
  /** The Request URL to paste into the Slack app's settings. */
  readonly requestUrl: pulumi.Output<string>;

  constructor(name: string, args: DqSlackEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:SlackEndpoint", name, {}, opts);
    this.url = new aws.lambda.FunctionUrl(
      `${name}-url`,
      { functionName: args.slack.name, authorizationType: "NONE" },
      { parent: this },
    );
    this.requestUrl = this.url.functionUrl.apply(
      (base) => `${base.endsWith("/") ? base : `${base}/`}${SLACK_EVENTS_PATH}`,
    );
    this.registerOutputs({ requestUrl: this.requestUrl });
  }
}
