import { randomUUID } from "node:crypto";
import type { SlackLambdaEvent } from "../../app/handlers/slack.ts";

export interface HttpRequestParts {
  method: string;
  /** Path and query, e.g. `/slack/events?x=1`. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  sourceIp?: string;
}

// Lambda function URLs pass these bodies as text; any other content type arrives base64-encoded.
const TEXT_TYPES = [/^text\//, /^application\/json/, /^application\/xml/, /^application\/javascript/];

/** The event a Lambda function URL (payload format 2.0) delivers for an HTTP request. */
export function functionUrlEvent(request: HttpRequestParts, now = Date.now()): SlackLambdaEvent {
  const url = new URL(request.url, "http://localhost");
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const isText = TEXT_TYPES.some((type) => type.test(headers["content-type"] ?? ""));
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ""),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: headers.host ?? "127.0.0.1",
      http: {
        method: request.method,
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: isText ? request.body : Buffer.from(request.body, "utf8").toString("base64"),
    isBase64Encoded: !isText,
  };
}
