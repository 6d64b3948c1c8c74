// One Lambda function's built bundle in a process of its own, as a Lambda container holds it: Node itself imports
// the bundle (no TypeScript, no test runner in between), with the environment the parent gave this process, and
// runs its `handler` for each event the parent sends. Started by local/bundled-functions.ts.
import { pathToFileURL } from "node:url";
import type { FunctionName } from "../app/wiring.ts";
import { lambdaContext } from "./aws/lambda-context.ts";

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

interface Invocation {
  id: number;
  event: unknown;
}

const [file, functionName, stack] = process.argv.slice(2) as [string, FunctionName, string];
const send = (message: unknown) => process.send?.(message);
const describe = (error: unknown) =>
  error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: "Error", message: String(error) };

const started = performance.now();
try {
  const module = (await import(pathToFileURL(file).href)) as { handler?: Handler };
  const handler = module.handler;
  if (typeof handler !== "function") throw new Error(`${file} does not export a handler`);
  process.on("message", (message: Invocation) => {
    handler(message.event, lambdaContext(functionName, { stack })).then(
      (result) => send({ id: message.id, ok: true, result: result ?? null }),
      (error: unknown) => send({ id: message.id, ok: false, error: describe(error) }),
    );
  });
  send({ type: "ready", importMs: performance.now() - started });
} catch (error) {
  send({ type: "failed", error: describe(error) });
  process.exitCode = 1;
}
