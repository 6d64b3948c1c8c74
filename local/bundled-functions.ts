import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE, type FunctionName } from "../app/wiring.ts";
import type { LocalFunction, LocalFunctions } from "./aws/functions.ts";

/** A built bundle that could not be loaded or whose handler failed: the error as the bundle's process saw it. */
export class BundledFunctionError extends Error {
  override name = "BundledFunctionError";
  readonly functionName: FunctionName;
  constructor(functionName: FunctionName, error: { name: string; message: string; stack?: string }) {
    super(`${functionName} (bundle): ${error.name}: ${error.message}`);
    this.functionName = functionName;
    if (error.stack) this.stack = `${this.name}: ${this.message}\n--- in the bundle's process ---\n${error.stack}`;
  }
}

export interface BundledFunctionsOptions {
  /** Where the bundles are: `<dir>/<function>/index.mjs` (BUNDLE's layout, as infra writes them). */
  dir: string;
  functions: readonly FunctionName[];
  /** Each process's whole environment, as Lambda gives a function its configuration. */
  env: NodeJS.ProcessEnv;
  /** @default "local" */
  stack?: string;
  /** Every line the bundles print (their JSON logs and metrics). @default kept in `output` only */
  onOutput?: (functionName: FunctionName, line: string) => void;
}

export interface BundledFunctions {
  functions: LocalFunctions;
  /** Milliseconds each bundle took to import in its fresh process: its cold start, before any invocation. */
  importMs: Partial<Record<FunctionName, number>>;
  /** Invocations per function. */
  invocations: Partial<Record<FunctionName, number>>;
  /** The last lines each bundle printed. */
  output: Partial<Record<FunctionName, string[]>>;
  stop(): Promise<void>;
}

const HOST = fileURLToPath(new URL("./bundled-function-host.ts", import.meta.url));
const KEPT_LINES = 200;

/**
 * The deployed bundles, run locally: each function's built bundle in a Node process of its own, loaded by Node
 * itself as Lambda loads it (with `--enable-source-maps` when its map is there, as infra sets), so a bundling
 * mistake (a dynamic import, a missing dependency, a handler that is not exported) fails here rather than after a
 * deploy. Invocations go to the process over IPC; events and results are structured-cloned.
 */
export async function startBundledFunctions(options: BundledFunctionsOptions): Promise<BundledFunctions> {
  const stack = options.stack ?? "local";
  const result: BundledFunctions = { functions: {}, importMs: {}, invocations: {}, output: {}, stop: async () => {} };
  const children: ChildProcess[] = [];
  result.stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill();
          }),
      ),
    );
  };
  try {
    await Promise.all(
      options.functions.map(async (name) => {
        const file = join(options.dir, name, BUNDLE.file);
        if (!existsSync(file)) throw new Error(`no bundle for ${name} at ${file}: build them first (writeBundles)`);
        const child = fork(HOST, [file, name, stack], {
          env: options.env,
          execArgv: [
            "--experimental-strip-types",
            "--disable-warning=ExperimentalWarning",
            ...(existsSync(`${file}.map`) ? ["--enable-source-maps"] : []),
          ],
          serialization: "advanced",
          stdio: ["ignore", "pipe", "pipe", "ipc"],
        });
        children.push(child);
        const lines: string[] = [];
        result.output[name] = lines;
        const keep = (chunk: Buffer) => {
          for (const line of chunk.toString("utf8").split("\n")) {
            if (line === "") continue;
            lines.push(line);
            if (lines.length > KEPT_LINES) lines.shift();
            options.onOutput?.(name, line);
          }
        };
        child.stdout?.on("data", keep);
        child.stderr?.on("data", keep);
        result.importMs[name] = await ready(child, name);
        result.invocations[name] = 0;
        result.functions[name] = invoker(child, name, () => {
          result.invocations[name] = (result.invocations[name] ?? 0) + 1;
        });
      }),
    );
  } catch (error) {
    await result.stop();
    throw error;
  }
  return result;
}

function ready(child: ChildProcess, name: FunctionName): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string; importMs?: number; error?: BundledError }) => {
      if (message.type === "ready") {
        cleanup();
        resolve(message.importMs ?? 0);
      } else if (message.type === "failed") {
        cleanup();
        reject(new BundledFunctionError(name, message.error ?? { name: "Error", message: "failed to load" }));
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new BundledFunctionError(name, { name: "Exit", message: `the bundle's process exited (${code})` }));
    };
    const cleanup = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

interface BundledError {
  name: string;
  message: string;
  stack?: string;
}

function invoker(child: ChildProcess, name: FunctionName, counted: () => void): LocalFunction {
  let next = 0;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  child.on("message", (message: { id?: number; ok?: boolean; result?: unknown; error?: BundledError }) => {
    if (message.id === undefined) return;
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(new BundledFunctionError(name, message.error ?? { name: "Error", message: "failed" }));
  });
  child.on("exit", (code) => {
    for (const waiting of pending.values()) {
      waiting.reject(
        new BundledFunctionError(name, { name: "Exit", message: `the bundle's process exited (${code})` }),
      );
    }
    pending.clear();
  });
  return (event) =>
    new Promise((resolve, reject) => {
      if (!child.connected) {
        reject(new BundledFunctionError(name, { name: "Exit", message: "the bundle's process is gone" }));
        return;
      }
      const id = next++;
      pending.set(id, { resolve, reject });
      counted();
      child.send({ id, event });
    });
}
