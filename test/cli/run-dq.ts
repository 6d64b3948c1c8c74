import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What a test of child processes may take: each `dq` pays Node's start and its modules' load (a second or more on a
 * busy machine), and the runs wait for credit windows.
 */
export const CHILD_TIMEOUT_MS = 120_000;

/** The real command, as `npx dq` runs it (package.json's bin). */
export const DQ = fileURLToPath(new URL("../../app/cli/dq.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface DqResult {
  /** null when the process was killed (see signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface DqOptions {
  /** The whole environment of the process, on top of baseEnv(): nothing else leaks in from the test's own. */
  env?: Record<string, string>;
  /** Killed (SIGKILL) after this long. @default 60000 */
  timeoutMs?: number;
  /** Node options before the script, e.g. ["--import", fault]. */
  nodeArgs?: string[];
}

/**
 * What a user's shell gives the command, and no more: PATH and HOME, no AWS, provider, Slack or dq variables
 * (a test process carries the local stacks' variables, which must not reach a child unless a test says so).
 */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return env;
}

/** A fresh DQ_HOME: where `dq local` records its state and other commands look for it. */
export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), "dq-cli-"));
}

/** A running `dq …` process: its output so far, a wait for a line, a signal, its result. */
export class DqProcess {
  readonly child: ChildProcess;
  readonly result: Promise<DqResult>;
  #stdout = "";
  #stderr = "";
  readonly #waiters: (() => void)[] = [];

  constructor(args: readonly string[], options: DqOptions = {}) {
    const started = performance.now();
    this.child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), "--disable-warning=ExperimentalWarning", DQ, ...args],
      { cwd: ROOT, env: { ...baseEnv(), ...options.env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child.stdout?.on("data", (chunk: Buffer) => {
      this.#stdout += chunk.toString();
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderr += chunk.toString();
      for (const wake of this.#waiters.splice(0)) wake();
    });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    this.result = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code, signal) => {
        clearTimeout(timer);
        for (const wake of this.#waiters.splice(0)) wake();
        resolve({ code, signal, stdout: this.#stdout, stderr: this.#stderr, ms: performance.now() - started });
      });
    });
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Resolves with the first match of `pattern` in stdout; rejects if the process ends or the time runs out first. */
  async waitForStdout(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.#stdout.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline)
        throw new Error(
          `no ${pattern} in the output of dq (exit ${this.child.exitCode}):\n${this.#stdout}\n${this.#stderr}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends SIGINT (Ctrl-C) and waits for the process to end. */
  async interrupt(): Promise<DqResult> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGINT");
    return this.result;
  }
}

/** Runs `dq <args>` to its end, the way a user runs it: its own process, its own environment. */
export function runDq(args: readonly string[], options: DqOptions = {}): Promise<DqResult> {
  return new DqProcess(args, options).result;
}

/** The lines a command printed on stderr. */
export function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}
