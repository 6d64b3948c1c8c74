import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { localClientConfig } from "../../../local/aws/env.ts";
import type { LocalFunctions } from "../../../local/aws/functions.ts";
import { type LambdaShim, startLambdaShim } from "../../../local/aws/lambda-shim.ts";
import { deferred } from "../../helpers/wait-until.ts";

describe("Lambda shim", () => {
  let shim: LambdaShim | undefined;

  afterEach(async () => {
    await shim?.stop();
  });

  async function start(functions: LocalFunctions): Promise<LambdaShim> {
    shim = await startLambdaShim({ functions, retryDelayMs: 10 });
    return shim;
  }

  function invoke(lambda: LambdaShim, name: string, payload: unknown, type?: "Event" | "RequestResponse" | "DryRun") {
    return fetch(`${lambda.endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(type && { "x-amz-invocation-type": type }) },
      body: JSON.stringify(payload),
    });
  }

  it("answers a RequestResponse invocation with the function's JSON result", async () => {
    const lambda = await start({ coordinator: async (event) => ({ echoed: event }) });

    const response = await invoke(lambda, "dq-local-coordinator", { type: "run" }, "RequestResponse");

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ echoed: { type: "run" } });
  });

  it("defaults to RequestResponse and accepts a function ARN", async () => {
    const lambda = await start({ coordinator: async () => "done" });

    const response = await invoke(lambda, "arn:aws:lambda:us-east-1:000000000000:function:dq-local-coordinator", {});

    expect(response.status).toBe(200);
    expect(await response.json()).toBe("done");
  });

  it("answers a function's error as an Unhandled function error", async () => {
    const lambda = await start({
      coordinator: async () => {
        throw new TypeError("bad input");
      },
    });

    const response = await invoke(lambda, "coordinator", {}, "RequestResponse");

    expect(response.status).toBe(200);
    expect(response.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(await response.json()).toMatchObject({ errorType: "TypeError", errorMessage: "bad input" });
  });

  it("answers an Event invocation with 202 at once and runs the function in the background", async () => {
    const release = deferred();
    const ran = deferred<unknown>();
    const lambda = await start({
      coordinator: async (event) => {
        await release.promise;
        ran.resolve(event);
      },
    });

    const response = await invoke(lambda, "dq-local-coordinator", { type: "run" }, "Event");

    expect(response.status).toBe(202);
    release.resolve();
    expect(await ran.promise).toEqual({ type: "run" });
  });

  it("retries a failed Event invocation", async () => {
    let calls = 0;
    const lambda = await start({
      coordinator: async () => {
        calls++;
        if (calls < 3) throw new Error("transient");
      },
    });

    await invoke(lambda, "coordinator", {}, "Event");
    await lambda.idle();

    expect(lambda.invocations()[0]).toMatchObject({ status: "succeeded", attempts: 3 });
  });

  it("answers 404 ResourceNotFoundException for an unknown function", async () => {
    const lambda = await start({});

    const response = await invoke(lambda, "dq-local-coordinator", {});

    expect(response.status).toBe(404);
    expect(response.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
  });

  it("answers a DryRun with 204 without running the function", async () => {
    let calls = 0;
    const lambda = await start({ coordinator: async () => calls++ });

    const response = await invoke(lambda, "coordinator", {}, "DryRun");

    expect(response.status).toBe(204);
    expect(calls).toBe(0);
  });

  it("serves @aws-sdk/client-lambda's InvokeCommand", async () => {
    const lambda = await start({ slack: async (event) => ({ ok: true, event }) });
    const client = new LambdaClient(localClientConfig(lambda.endpoint));

    const out = await client.send(
      new InvokeCommand({ FunctionName: "dq-local-slack", Payload: new TextEncoder().encode('{"n":1}') }),
    );
    client.destroy();

    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(out.Payload))).toEqual({ ok: true, event: { n: 1 } });
  });
});
