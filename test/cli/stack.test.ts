import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonReport } from "../../app/cli/report.ts";
import { localAwsEnv } from "../../local/aws/env.ts";
import { LocalClock } from "../../local/clock.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { AS_OF, market, PLAN, sampleDatalake } from "./pinned-market.ts";
import { CHILD_TIMEOUT_MS, DqProcess, freshHome, lines, runDq } from "./run-dq.ts";

/**
 * `dq … --stack ci` the way an operator reaches a deployed stack: the standard AWS variables (here pointing at a
 * local stack named `ci`, whose resources are named as a deployed stack's are) and nothing else. No provider key,
 * no provider URL: these commands never call the provider.
 */
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const symbols = market.symbols();

let stack: LocalStack;
let env: Record<string, string>;

beforeAll(async () => {
  const lake = await sampleDatalake();
  stack = await startLocalStack({
    stack: "ci",
    creditsPerMinute: PLAN.creditsPerMinute,
    creditWindowSeconds: PLAN.windowSeconds,
    creditsPerDay: null,
    datalake: lake.uriTemplate,
    dailySchedule: false,
    visibilityTimeoutSeconds: 6,
    clock: new LocalClock(Date.parse(AS_OF)),
    log: quiet,
  });
  // A fresh DQ_HOME: no local stack recorded, so nothing but --stack can be reached.
  env = { ...localAwsEnv(stack.endpoints), DQ_HOME: freshHome() };
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("the commands that read and steer a deployed stack, with AWS credentials only", {
  timeout: CHILD_TIMEOUT_MS,
}, () => {
  it("runs, shows, lists and reads a session without a provider key", async () => {
    const run = await runDq(
      ["run", "--stack", "ci", "--symbols", symbols.slice(0, 6).join(","), "--as-of", AS_OF, "--wait"],
      { env },
    );

    console.info(`dq run --stack ci --wait: ${(run.ms / 1000).toFixed(1)} s`);
    expect(run.stderr).not.toMatch(/apiKey|TWELVEDATA/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^session s-\S+ initiated on the AWS stack ci: 6 symbols in 1 batches/m);
    const [status, sessions, results] = await Promise.all([
      runDq(["status", "--stack", "ci"], { env }),
      runDq(["sessions", "--stack", "ci"], { env }),
      runDq(["results", "latest", "--stack", "ci", "--format", "json"], { env }),
    ]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^session s-\S+ {2}COMPLETED$/m);
    expect(sessions.code).toBe(0);
    expect(lines(sessions.stdout)).toHaveLength(1);
    expect(results.code).toBe(0);
    expect((JSON.parse(results.stdout) as JsonReport).summary.symbols).toBe(6);
  });

  it("retries and cancels without a provider key", async () => {
    const retry = await runDq(["retry", "latest", "--stack", "ci"], { env });
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/^session s-\S+ retries s-\S+: \d+ symbols$/m);

    const run = new DqProcess(
      ["run", "--stack", "ci", "--symbols", symbols.slice(10, 50).join(","), "--as-of", AS_OF],
      {
        env,
      },
    );
    const [, id] = await run.waitForStdout(/^session (s-\S+) /m);
    expect((await run.result).code).toBe(0);
    const cancel = await runDq(["cancel", id as string, "--stack", "ci"], { env });
    expect(cancel.stderr).toBe("");
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe(`session ${id} cancelled\n`);
  });

  it("refuses dq check --stack when the stack's credit plan cannot be read, and says what to do", async () => {
    const check = await runDq(["check", "--stack", "ci", "--symbols", "IBM", "--as-of", AS_OF], { env });

    expect(check.code).toBe(2);
    expect(lines(check.stderr)).toHaveLength(1);
    expect(check.stderr).toMatch(
      /^dq: cannot read the credit plan of stack ci from its function dq-ci-processor \(.*\): dq check --stack needs lambda:GetFunctionConfiguration on it; without --stack, dq check paces itself but does not see the stack's sessions\n$/,
    );
  });
});
