import { createSlackLambdaHandler } from "../../app/handlers/slack.ts";
import type { ReportLinkRoute } from "../../app/runtime/report-links.ts";
import type { SlackHandlerDeps } from "../../app/slack/app.ts";
import { listenOnLoopback, readBody } from "../aws/http-server.ts";
import { lambdaContext } from "../aws/lambda-context.ts";
import { functionUrlEvent } from "./function-url-event.ts";

export interface SlackHttpServerOptions {
  /** @default 0 (the OS picks) */
  port?: number;
  deps: SlackHandlerDeps;
  /** Report links, which the Slack function's URL opens too. */
  reportLinks?: ReportLinkRoute;
}

export interface SlackHttpServer {
  /** Paste into the Slack app (or send signed requests to it): `http://127.0.0.1:<port>/slack/events`. */
  requestUrl: string;
  /** The function URL's root, as a Lambda function URL is (report links go below it). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * The Slack function over HTTP for the local stack: each request becomes the event a Lambda function URL would
 * deliver and goes through the real handler (Bolt's AwsLambdaReceiver, signature checks and all).
 */
export async function startSlackHttpServer(options: SlackHttpServerOptions): Promise<SlackHttpServer> {
  const handle = createSlackLambdaHandler(options.deps, { reportLinks: options.reportLinks });
  const server = await listenOnLoopback(
    "Slack endpoint",
    async (request, response) => {
      const body = await readBody(request);
      const event = functionUrlEvent({
        method: request.method ?? "GET",
        url: request.url ?? "/",
        headers: request.headers,
        body,
        sourceIp: request.socket.remoteAddress,
      });
      const answer = await handle(event, lambdaContext("slack"));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name] = String(value);
      const payload = answer.isBase64Encoded ? Buffer.from(answer.body, "base64") : Buffer.from(answer.body ?? "");
      response.writeHead(answer.statusCode, { ...headers, "content-length": payload.length }).end(payload);
    },
    options.port,
  );
  return {
    requestUrl: `${server.endpoint}/slack/events`,
    url: `${server.endpoint}/`,
    port: server.port,
    stop: () => server.stop(),
  };
}
