import type { IncomingMessage, ServerResponse } from "node:http";
import { BackgroundInvoker, type InvocationRecord } from "./background-invoker.ts";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from "./env.ts";
import { functionNameOf, type LocalFunctions } from "./functions.ts";
import { listenOnLoopback, readBody, sendJson } from "./http-server.ts";

export interface LambdaShimOptions {
  functions: LocalFunctions;
  /** Restricts function names to this stack's. @default any dq stack */
  stack?: string;
  /** Retries of a failed `Event` invocation, as Lambda retries an asynchronous invocation. @default 2 */
  retryAttempts?: number;
  /** @default 200 */
  retryDelayMs?: number;
  /** @default 0 */
  port?: number;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * Lambda's Invoke API (POST /2015-03-31/functions/{FunctionName}/invocations) for @aws-sdk/client-lambda:
 * `Event` answers 202 at once and runs the function in the background with retries; `RequestResponse` answers 200
 * with the function's JSON result, or its error payload and `X-Amz-Function-Error: Unhandled`; `DryRun` 204.
 */
export class LambdaShim {
  readonly endpoint: string;
  readonly #stopServer: () => Promise<void>;
  readonly #options: LambdaShimOptions;
  readonly #invoker: BackgroundInvoker;

  private constructor(endpoint: string, stopServer: () => Promise<void>, options: LambdaShimOptions) {
    this.endpoint = endpoint;
    this.#stopServer = stopServer;
    this.#options = options;
    this.#invoker = new BackgroundInvoker({
      functions: options.functions,
      retryAttempts: options.retryAttempts,
      retryDelayMs: options.retryDelayMs,
    });
  }

  static async start(options: LambdaShimOptions): Promise<LambdaShim> {
    let shim: LambdaShim | undefined;
    const server = await listenOnLoopback(
      "Lambda shim",
      (request, response) => (shim as LambdaShim).#handle(request, response),
      options.port,
    );
    shim = new LambdaShim(server.endpoint, () => server.stop(), options);
    return shim;
  }

  /** Every invocation, synchronous and asynchronous, oldest first. */
  invocations(): readonly InvocationRecord[] {
    return this.#invoker.records();
  }

  /** Resolves when no invocation is running. */
  idle(): Promise<void> {
    return this.#invoker.idle();
  }

  async stop(): Promise<void> {
    await this.#stopServer();
    await this.#invoker.idle();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const match = path.match(INVOKE_PATH);
    if (request.method !== "POST" || !match?.[1]) {
      sendError(response, 404, "UnknownOperationException", `${request.method} ${path}`);
      return;
    }
    const requested = decodeURIComponent(match[1]);
    const functionName = functionNameOf(requested, this.#options.stack);
    if (functionName === undefined || !this.#invoker.has(functionName)) {
      const arn = requested.startsWith("arn:")
        ? requested
        : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${requested}`;
      sendError(response, 404, "ResourceNotFoundException", `Function not found: ${arn}`);
      return;
    }
    let event: unknown;
    try {
      event = body.trim() === "" ? {} : JSON.parse(body);
    } catch {
      sendError(response, 400, "InvalidRequestContentException", "Could not parse request body into json");
      return;
    }
    const invocationType = header(request, "x-amz-invocation-type") ?? "RequestResponse";
    const executed = { "x-amz-executed-version": "$LATEST" };
    switch (invocationType) {
      case "Event":
        this.#invoker.invoke(functionName, event, "lambda:Event");
        sendJson(response, 202, undefined, executed);
        return;
      case "DryRun":
        sendJson(response, 204, undefined, executed);
        return;
      case "RequestResponse": {
        const record = await this.#invoker.invokeNow(functionName, event, "lambda:RequestResponse");
        if (record.status === "succeeded") {
          sendJson(response, 200, record.result ?? null, executed);
          return;
        }
        sendJson(response, 200, errorPayload(record.error), { ...executed, "x-amz-function-error": "Unhandled" });
        return;
      }
      default:
        sendError(response, 400, "InvalidParameterValueException", `invalid invocation type ${invocationType}`);
    }
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(response, status, { Type: "User", Message: message }, { "x-amzn-errortype": type });
}

/** The payload the Node.js runtime returns for an uncaught error. */
function errorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error)
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? "").split("\n") };
  return { errorType: "Error", errorMessage: String(error), trace: [] };
}

/** Starts a Lambda shim; see LambdaShim. */
export function startLambdaShim(options: LambdaShimOptions): Promise<LambdaShim> {
  return LambdaShim.start(options);
}
