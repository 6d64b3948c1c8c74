import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { JsonReport } from "../../app/cli/report.ts";
import type { SampleDatalake } from "../../local/sample-datalake/index.ts";
import type { TwelveDataEmulator } from "../../local/twelvedata/emulator.ts";
import { SHARED_KEY_BOUNDS, worst429sPerWindow } from "../helpers/shared-key.ts";
import {
  AS_OF,
  market,
  PLAN,
  PLAN_ENV,
  sampleDatalake,
  startPinnedEmulator,
  startSharedKeyProxy,
} from "./pinned-market.ts";
import { baseEnv, CHILD_TIMEOUT_MS, DQ, lines, runDq } from "./run-dq.ts";

/**
 * `dq check` as a user runs it: its own process (where nothing but its own work keeps it alive), against the
 * Twelve Data emulator at 8 credits per 2 s window, strict about the rolling window.
 */
let emulator: TwelveDataEmulator;
let lake: SampleDatalake;
let env: Record<string, string>;

beforeAll(async () => {
  lake = await sampleDatalake();
});
// An emulator per test: the credits one test spends never count against the next one's window.
beforeEach(async () => {
  emulator = await startPinnedEmulator();
  env = { ...PLAN_ENV, TWELVEDATA_BASE_URL: emulator.url };
});
afterEach(async () => {
  await emulator?.close();
});

const check = (...args: string[]) => ["check", "--datalake", lake.uriTemplate, "--as-of", AS_OF, ...args];

describe("dq check over several windows", { timeout: CHILD_TIMEOUT_MS }, () => {
  // Its stderr is a pipe: no progress bar, although the run takes several windows.
  it("checks 45 symbols at 8 credits per 2 s window: complete JSON, exit code 0, never 8 credits too many", async () => {
    const symbols = market.symbols().slice(0, 45);

    const out = await runDq(check("--symbols", symbols.join(","), "--format", "json"), { env });

    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as JsonReport;
    expect(report.asOf).toBe(new Date(AS_OF).toISOString());
    expect(report.results.map((r) => r.symbol).sort()).toEqual([...symbols].sort());
    expect(report.results.every((r) => r.status === "pass" || r.status === "fail")).toBe(true);
    expect(report.summary).toMatchObject({ symbols: 45, errored: 0 });
    const counts = emulator.counts();
    expect(counts).toMatchObject({ credits: 45, rateLimited: 0, repeatedSymbols: [] });
    expect(counts.maxCreditsInAnyWindow).toBeLessThanOrEqual(PLAN.creditsPerMinute);
    // Six requests of at most 8 credits: at least five windows apart from the first to the last.
    expect(out.ms).toBeGreaterThanOrEqual(5 * PLAN.windowSeconds * 1000);
    console.info(
      `dq check, 45 symbols: ${(out.ms / 1000).toFixed(1)} s, at most ${counts.maxCreditsInAnyWindow} credits in any rolling ${PLAN.windowSeconds} s`,
    );
  });

  it("prints a table: a row per symbol, the issues of the failing ones, the counts", async () => {
    const out = await runDq(check("--symbols", "AAPL,IBM,MSFT"), { env });

    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const rows = lines(out.stdout);
    expect(rows[0]).toBe(`dq report as of ${new Date(AS_OF).toISOString()}`);
    expect(rows).toContain("SYMBOL  STATUS  ROWS  LAST BAR    ISSUES");
    expect(rows.find((r) => r.startsWith("AAPL "))).toMatch(/^AAPL\s+FAIL\s+0\s+-\s+no_data$/);
    expect(rows.find((r) => r.startsWith("IBM "))).toMatch(/^IBM\s+PASS\s+\d+\s+2026-01-09\s+-$/);
    expect(rows.at(-1)).toBe("3 symbols: 2 passed, 1 failed, 0 could not be validated");
  });

  it("requests again what the provider refused while another program spent the key: nothing lost, nothing misreported", async () => {
    const symbols = market.symbols().slice(0, 12);
    // Right before dq check's second request, another program on the same key takes the whole window.
    const proxy = await startSharedKeyProxy(emulator, 2);
    try {
      const out = await runDq(check("--symbols", symbols.join(","), "--format", "json"), {
        env: { ...env, TWELVEDATA_BASE_URL: proxy.url },
      });

      expect(out.code).toBe(0);
      // The refusal's numbers ("12 API credits were used ... limit being 8") show the 4 credits it went past.
      expect(lines(out.stderr)).toEqual([
        "dq: sharing the key: 4 credits a window taken by another consumer",
        "dq: the provider refused 4 symbol(s) for lack of credits; asking again in 2 s",
      ]);
      const report = JSON.parse(out.stdout) as JsonReport;
      expect(report.results.map((r) => r.symbol).sort()).toEqual([...symbols].sort());
      expect(report.summary.errored).toBe(0);
      const counts = emulator.counts();
      expect(counts.rateLimited).toBe(1);
      // A refused request costs nothing: each symbol was served, and charged, once.
      expect(counts.credits).toBe(PLAN.creditsPerMinute + symbols.length);
      expect(counts.repeatedSymbols).toEqual([]);
      expect(counts.maxCreditsInAnyWindow).toBeLessThanOrEqual(PLAN.creditsPerMinute);
    } finally {
      await proxy.close();
    }
  });
});

describe.each([
  { partialAnswers: false, what: "whole-request 429s" },
  { partialAnswers: true, what: "partial answers" },
])("dq check on a key another program shares, greedy for 3 of 8 credits a window ($what)", ({ partialAnswers }) => {
  it("checks 45 symbols: each once, none an error, within the stated windows and 429s", {
    timeout: CHILD_TIMEOUT_MS,
  }, async () => {
    const symbols = market.symbols().slice(0, 45);
    emulator.setPartialAnswers(partialAnswers);
    emulator.setOtherConsumer({ kind: "greedy", credits: 3 });

    const out = await runDq(check("--symbols", symbols.join(","), "--format", "json"), { env });

    expect(out.code).toBe(0);
    expect(lines(out.stderr)).toContain("dq: sharing the key: 3 credits a window taken by another consumer");
    const report = JSON.parse(out.stdout) as JsonReport;
    expect(report.results.map((r) => r.symbol).sort()).toEqual([...symbols].sort());
    expect(report.results.filter((r) => r.status === "error")).toEqual([]);
    const counts = emulator.counts();
    expect(counts).toMatchObject({ credits: 45, repeatedSymbols: [] });
    expect(counts.maxCreditsInAnyWindow).toBeLessThanOrEqual(PLAN.creditsPerMinute);
    const windowMs = PLAN.windowSeconds * 1000;
    const worst = worst429sPerWindow(counts.rateLimitedAt, windowMs);
    expect(worst).toBeLessThanOrEqual(SHARED_KEY_BOUNDS.max429sPerWindow);
    expect(out.ms).toBeLessThanOrEqual(SHARED_KEY_BOUNDS.windows(45, 5) * windowMs);
    console.info(
      `dq check on a shared key (${partialAnswers ? "partial answers" : "whole 429s"}): 45 symbols in ${(out.ms / windowMs).toFixed(1)} windows (symbols ÷ 5 = 9), ${counts.rateLimitedAt.length} 429s, at most ${worst} in a window, other program ${counts.otherCredits} credits`,
    );
  });
});

describe("dq check exit codes and one-line errors", { timeout: CHILD_TIMEOUT_MS }, () => {
  const oneLineError = (out: { code: number | null; stdout: string; stderr: string }, code: number, text: RegExp) => {
    expect(out.stdout).toBe("");
    expect(lines(out.stderr)).toHaveLength(1);
    expect(out.stderr).toMatch(/^dq: /);
    expect(out.stderr).toMatch(text);
    expect(out.code).toBe(code);
  };

  // Each case is its own process; they run side by side.
  it("2 for a datalake that does not exist, listed or named symbol by symbol, or of an unknown kind", async () => {
    const missing = "file:///nonexistent/dq-lake/{symbol}.csv";
    const [listed, named, unknownKind] = await Promise.all([
      runDq(["check", "--datalake", missing, "--as-of", AS_OF], { env }),
      runDq(["check", "--datalake", missing, "--symbols", "AAPL", "--as-of", AS_OF], { env }),
      runDq(["check", "--datalake", "ftp://host/{symbol}.csv", "--as-of", AS_OF], { env }),
    ]);

    const noSuchDirectory =
      /^dq: datalake "file:\/\/\/nonexistent\/dq-lake\/\{symbol\}\.csv": the directory \/nonexistent\/dq-lake\/ does not exist$/m;
    oneLineError(listed, 2, noSuchDirectory);
    oneLineError(named, 2, noSuchDirectory);
    oneLineError(unknownKind, 2, /unsupported scheme ftp:\/\//);
  });

  it("2 for a bad symbol, a bad date, an unknown option or no datalake", async () => {
    const [symbol, date, option, datalake] = await Promise.all([
      runDq(check("--symbols", "AAPL,../etc"), { env }),
      runDq(["check", "--datalake", lake.uriTemplate, "--as-of", "2026-02-30x"], { env }),
      runDq(check("--bogus"), { env }),
      runDq(["check", "--as-of", AS_OF], { env }),
    ]);

    oneLineError(symbol, 2, /invalid symbol "\.\.\/etc"/);
    oneLineError(date, 2, /'--as-of <instant>' argument '2026-02-30x' is invalid/);
    oneLineError(option, 2, /unknown option '--bogus'/);
    oneLineError(datalake, 2, /--datalake is required/);
  });

  it("2 when the provider refuses the key, and when no key is set for the real provider", async () => {
    const [refused, none] = await Promise.all([
      runDq(check("--symbols", "IBM"), { env: { ...env, TWELVEDATA_API_KEY: "not-the-key" } }),
      runDq(check("--symbols", "IBM"), { env: { ...PLAN_ENV } }),
    ]);

    oneLineError(refused, 2, /refused the API key \(401\).*check TWELVEDATA_API_KEY/);
    oneLineError(none, 2, /TWELVEDATA_API_KEY is not set: a key is required for https:\/\/api\.twelvedata\.com/);
    expect(emulator.counts().credits).toBe(0);
  });

  it("1 for an unexpected error (a bug), with its stack trace", async () => {
    const fault = fileURLToPath(new URL("./fixtures/report-fault.ts", import.meta.url));

    const out = await runDq(check("--symbols", "IBM"), { env, nodeArgs: ["--import", fault] });

    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^dq: unexpected error: TypeError: injected fault in the report\n\s+at /);
  });

  it("0 for --help, which lists the exit codes", async () => {
    const out = await runDq(["--help"], { env });

    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/Exit codes:\n {2}0 {2}done/);
    expect(out.stdout).toMatch(/\n {2}3 {2}the command ran but its outcome is not a success/);
  });
});

describe("dq check's progress bar", { timeout: CHILD_TIMEOUT_MS }, () => {
  it("draws a bar with an ETA on stderr when stderr is a terminal and the run takes more than a window", async () => {
    const symbols = market.symbols().slice(0, 10).join(",");
    const command = [process.execPath, "--disable-warning=ExperimentalWarning", DQ, ...check("--symbols", symbols)]
      .map((arg) => `'${arg.replaceAll("'", "'\\''")}'`)
      .join(" ");

    // `script` gives the command a terminal; what it draws there comes back on script's stdout.
    const terminal = await new Promise<string>((resolve, reject) =>
      execFile(
        "script",
        ["-qec", `${command} > /dev/null`, "/dev/null"],
        { env: { ...baseEnv(), ...env }, timeout: 30_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );

    expect(terminal).toMatch(/checking .* 0\/10 symbols \| ETA 2s/);
    expect(terminal).toMatch(/checking .* 10\/10 symbols \| ETA 0s/);
  });
});
