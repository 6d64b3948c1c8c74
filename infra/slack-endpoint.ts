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
 * Slack's own request signature with the signing secret. The two public permissions such a URL needs (since
 * October 2025, both) are resources of their own, so they are in the state and restored by `pulumi up` if removed;
 * they allow invocation through the URL only, not a direct Invoke.
 */
export class DqSlackEndpoint extends pulumi.ComponentResource {
  readonly url: aws.lambda.FunctionUrl;
  readonly permissions: aws.lambda.Permission[];
  /** The Request URL to paste into the Slack app's settings. */
  readonly requestUrl: pulumi.Output<string>;

  constructor(name: string, args: DqSlackEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:SlackEndpoint", name, {}, opts);
    const parent = { parent: this };
    this.permissions = [
      new aws.lambda.Permission(
        `${name}-url-public`,
        {
          statementId: "DqFunctionUrlPublic",
          action: "lambda:InvokeFunctionUrl",
          function: args.slack.name,
          principal: "*",
          functionUrlAuthType: "NONE",
        },
        parent,
      ),
      new aws.lambda.Permission(
        `${name}-url-invoke`,
        {
          statementId: "DqFunctionUrlInvoke",
          action: "lambda:InvokeFunction",
          function: args.slack.name,
          principal: "*",
          invokedViaFunctionUrl: true,
        },
        parent,
      ),
    ];
    this.url = new aws.lambda.FunctionUrl(
      `${name}-url`,
      { functionName: args.slack.name, authorizationType: "NONE" },
      { parent: this, dependsOn: this.permissions },
    );
    this.requestUrl = this.url.functionUrl.apply(
      (base) => `${base.endsWith("/") ? base : `${base}/`}${SLACK_EVENTS_PATH}`,
    );
    this.registerOutputs({ requestUrl: this.requestUrl });
  }
}
