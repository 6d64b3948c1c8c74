import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonReport } from "../../app/cli/report.ts";
import type { TwelveDataEmulator } from "../../local/twelvedata/emulator.ts";
import { SHARED_KEY_BOUNDS, worst429sPerWindow } from "../helpers/shared-key.ts";
import { AS_OF, market, PLAN, PLAN_ENV, sampleDatalake, startPinnedEmulator } from "./pinned-market.ts";
import { CHILD_TIMEOUT_MS, DqProcess, freshHome, lines, runDq } from "./run-dq.ts";

/**
 * The local stack as an operator drives it: `dq local` in one terminal, `dq run`, `dq results`, `dq cancel`,
 * `dq retry` and `dq check --stack local` in others. The stack's provider is the emulator started here (pinned to
 * AS_OF, strict rolling window), so the test can read what the provider saw.
 */
const symbols = market.symbols();

let emulator: TwelveDataEmulator;
let home: string;
let local: DqProcess;
let env: Record<string, string>;

beforeAll(async () => {
  const [started, lake] = await Promise.all([startPinnedEmulator(), sampleDatalake()]);
  emulator = started;
  home = freshHome();
  env = { DQ_HOME: home };
  local = new DqProcess(["local", "--datalake", lake.uriTemplate, "--no-schedule"], {
    env: { ...PLAN_ENV, DQ_HOME: home, TWELVEDATA_BASE_URL: emulator.url },
    timeoutMs: 180_000,
  });
  await local.waitForStdout(/Ctrl-C stops it\./, 60_000);
}, 90_000);

afterAll(async () => {
  await local?.interrupt();
  await emulator?.close();
});

const sessionIdOf = (stdout: string) => /^session (s-\S+) /m.exec(stdout)?.[1] ?? "";

describe("dq local, then the commands that drive it", { timeout: CHILD_TIMEOUT_MS }, () => {
  let first = "";

  it("runs a session to its end with dq run --wait, and dq results prints every result", async () => {
    const run = await runDq(["run", "--symbols", symbols.slice(0, 10).join(","), "--as-of", AS_OF, "--wait"], { env });

    expect(run.code).toBe(0);
    first = sessionIdOf(run.stdout);
    expect(run.stdout).toMatch(new RegExp(`^session ${first} {2}COMPLETED$`, "m"));
    expect(run.stdout).toMatch(/10\/10 symbols/);
    const results = await runDq(["results", first, "--format", "json"], { env });
    expect(results.code).toBe(0);
    const report = JSON.parse(results.stdout) as JsonReport;
    expect(report.asOf).toBe(new Date(AS_OF).toISOString());
    expect(report.results.map((r) => r.symbol).sort()).toEqual(symbols.slice(0, 10).sort());
    expect(report.summary.failed).toBeGreaterThan(0);
  });

  it("retries the failed symbols of a session as a new one with dq retry --wait", async () => {
    const retry = await runDq(["retry", first, "--wait"], { env });

    expect(retry.code).toBe(0);
    const second = sessionIdOf(retry.stdout);
    expect(retry.stdout).toMatch(new RegExp(`^session ${second} retries ${first}: \\d+ symbols$`, "m"));
    expect(retry.stdout).toMatch(new RegExp(`^session ${second} {2}COMPLETED$`, "m"));
    expect(retry.stdout).toMatch(`retry of ${first}`);
    // The sample datalake's defects are still there: what failed fails again.
    expect(retry.stdout).toMatch(/passed 0, failed [1-9]\d*, errored 0/);
  });

  it("cancels a running session with dq cancel; the dq run --wait that waited for it exits 3", async () => {
    // A slow provider and 54 symbols: the session is still running when the cancel lands, however loaded the machine.
    emulator.setFaults({ latencyMs: 1_500 });
    const run = new DqProcess(["run", "--symbols", symbols.slice(10).join(","), "--as-of", AS_OF, "--wait"], { env });
    const [, id] = await run.waitForStdout(/^session (s-\S+) /m);

    const cancel = await runDq(["cancel", id as string], { env });
    emulator.clearFaults();

    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe(`session ${id} cancelled\n`);
    const waited = await run.result;
    expect(waited.code).toBe(3);
    expect(lines(waited.stderr).at(-1)).toMatch(new RegExp(`^dq: session ${id} ended cancelled: cancelled by cli:`));
  });

  it("checks with --stack local while a session runs on the same key: together never over the plan, no 429", async () => {
    // Every spend so far went through the ledger too (even a batch of the cancelled session still in flight), so the
    // window need not be clear before this test.
    emulator.resetCounts();
    const session = symbols.slice(0, 12);
    const checked = symbols.slice(12, 24);

    const [run, check] = await Promise.all([
      runDq(["run", "--symbols", session.join(","), "--as-of", AS_OF, "--wait"], { env }),
      runDq(["check", "--stack", "local", "--symbols", checked.join(","), "--as-of", AS_OF, "--format", "json"], {
        env,
      }),
    ]);

    expect(run.code).toBe(0);
    expect(check.code).toBe(0);
    expect(check.stderr).toBe("");
    const report = JSON.parse(check.stdout) as JsonReport;
    expect(report.results.map((r) => r.symbol).sort()).toEqual(checked.sort());
    expect(report.summary.errored).toBe(0);
    const counts = emulator.counts();
    expect(counts.rateLimited).toBe(0);
    // Each symbol served once (a batch of the cancelled session may still have been in flight: it is not counted).
    expect(Object.fromEntries([...session, ...checked].map((s) => [s, counts.bySymbol[s]]))).toEqual(
      Object.fromEntries([...session, ...checked].map((s) => [s, 1])),
    );
    expect(counts.maxCreditsInAnyWindow).toBeLessThanOrEqual(PLAN.creditsPerMinute);
  });

  it("checks with --stack local on a key another program shares: what is left, once each, no error", async () => {
    emulator.resetCounts();
    emulator.setPartialAnswers(true);
    emulator.setOtherConsumer({ kind: "greedy", credits: 3 });
    try {
      const checked = symbols.slice(24, 44);

      const check = await runDq(
        ["check", "--stack", "local", "--symbols", checked.join(","), "--as-of", AS_OF, "--format", "json"],
        { env },
      );

      expect(check.code).toBe(0);
      expect(lines(check.stderr)).toContain("dq: sharing the key: 3 credits a window taken by another consumer");
      const report = JSON.parse(check.stdout) as JsonReport;
      expect(report.results.map((r) => r.symbol).sort()).toEqual([...checked].sort());
      expect(report.summary.errored).toBe(0);
      const counts = emulator.counts();
      expect(counts).toMatchObject({ credits: checked.length, repeatedSymbols: [] });
      expect(counts.maxCreditsInAnyWindow).toBeLessThanOrEqual(PLAN.creditsPerMinute);
      const windowMs = PLAN.windowSeconds * 1000;
      expect(worst429sPerWindow(counts.rateLimitedAt, windowMs)).toBeLessThanOrEqual(
        SHARED_KEY_BOUNDS.max429sPerWindow,
      );
      expect(check.ms).toBeLessThanOrEqual(SHARED_KEY_BOUNDS.windows(checked.length, 5) * windowMs);
    } finally {
      emulator.setOtherConsumer(null);
      emulator.setPartialAnswers(false);
    }
  });

  it("stops on Ctrl-C, and then the commands say that no local stack runs (exit 2)", async () => {
    const stopped = await local.interrupt();
    expect(stopped.code).toBe(0);
    expect(existsSync(join(home, "local.json"))).toBe(false);

    const status = await runDq(["status"], { env });

    expect(status.code).toBe(2);
    expect(status.stderr).toBe(
      "dq: no local stack is running: start one with `npx dq local` (or pass --stack <name> to reach AWS)\n",
    );
  });
});
