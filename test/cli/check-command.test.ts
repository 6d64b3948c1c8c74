import { Writable } from "node:stream";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TwelveDataClient } from "../../app/adapters/twelvedata/client.ts";
import { RateLimitError } from "../../app/adapters/twelvedata/errors.ts";
import { MAX_REFUSALS, runCheck } from "../../app/cli/check-command.ts";
import { showsProgress } from "../../app/cli/check-progress.ts";
import type { JsonReport } from "../../app/cli/report.ts";
import { providerConfig } from "../../app/config/config.ts";
import type { ReferenceOutcome, ReferenceProvider } from "../../app/domain/ports.ts";
import type { SampleDatalake } from "../../local/sample-datalake/index.ts";
import { startTwelveDataEmulator, type TwelveDataEmulator } from "../../local/twelvedata/emulator.ts";
import { AS_OF, market, sampleDatalake } from "./pinned-market.ts";

/** The check's own logic, in process: what a partial answer does, and when the progress bar shows. */
let emulator: TwelveDataEmulator;
let lake: SampleDatalake;

beforeAll(async () => {
  lake = await sampleDatalake();
});
// An emulator per test: one test's credits never count against the next one's window.
beforeEach(async () => {
  emulator = await startTwelveDataEmulator({ market, creditsPerMinute: 8, windowSeconds: 0.2, creditsPerDay: null });
});
afterEach(async () => {
  await emulator?.close();
});

const MINUTE_LIMIT =
  "You have run out of API credits for the current minute. 12 API credits were used, with the current limit being 8.";

/**
 * The real client, except that the answers name `refuse(call)` symbols with their own 429 entry, as a partial answer
 * does when the credits run out in the middle of a request.
 */
function partialAnswers(refuse: (call: number, symbols: readonly string[]) => readonly string[]) {
  const client = new TwelveDataClient({
    baseUrl: emulator.url,
    apiKey: "demo",
    creditsPerWindow: 8,
    windowSeconds: 0.2,
  });
  const calls: string[][] = [];
  const provider: ReferenceProvider = {
    async dailyBars(symbols, range) {
      calls.push([...symbols]);
      const answer = await client.dailyBars(symbols, range);
      const refused: ReferenceOutcome = { ok: false, code: 429, message: MINUTE_LIMIT };
      for (const symbol of refuse(calls.length, symbols)) answer.set(symbol, refused);
      return answer;
    },
  };
  return { provider, calls };
}

async function check(provider: ReferenceProvider, symbols: string[]) {
  let stdout = "";
  let stderr = "";
  const sink = (write: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        write(String(chunk));
        done();
      },
    });
  await runCheck(
    { datalake: lake.uriTemplate, symbols, lookbackDays: 10, asOf: new Date(AS_OF), format: "json" },
    {
      stdout: sink((text) => (stdout += text)),
      stderr: sink((text) => (stderr += text)),
      setup: { provider: providerConfig({ creditsPerMinute: 8, creditWindowSeconds: 0.2 }), client: provider },
      sleep: async () => {},
    },
  );
  return { report: JSON.parse(stdout) as JsonReport, stderr };
}

describe("dq check and a partial answer", () => {
  it("requests again the symbols a partial answer refused for lack of credits, and reports them validated", async () => {
    const symbols = market.symbols().slice(0, 10);
    const { provider, calls } = partialAnswers((call, asked) => (call === 1 ? asked.slice(5) : []));

    const { report, stderr } = await check(provider, symbols);

    expect(report.results.map((r) => r.symbol)).toEqual(symbols);
    expect(report.summary.errored).toBe(0);
    // The three refused symbols go first in the next request, before the two not yet asked for.
    expect(calls).toEqual([symbols.slice(0, 8), [...symbols.slice(5, 8), ...symbols.slice(8)]]);
    expect(stderr).toBe("dq: the provider refused 3 symbol(s) for lack of credits; asking again in 1 s\n");
  });

  it(`reports a symbol refused ${MAX_REFUSALS} times as not validated (rate_limit), never as a data failure`, async () => {
    const symbols = market.symbols().slice(0, 3);
    const { provider, calls } = partialAnswers((_call, asked) => asked.filter((s) => s === symbols[1]));

    const { report } = await check(provider, symbols);

    expect(calls).toHaveLength(MAX_REFUSALS);
    const refused = report.results.find((r) => r.symbol === symbols[1]);
    expect(refused).toMatchObject({ status: "error", error: { kind: "rate_limit" } });
    expect(refused?.error?.message).toMatch(/refused for lack of credits 10 times/);
    expect(report.results.filter((r) => r.status === "error")).toHaveLength(1);
  });
});

describe("dq check when the provider's day is spent", () => {
  const dayLimit = new RateLimitError("Twelve Data rate limit (day): You have run out of API credits for the day.", {
    scope: "day",
    retryAfterMs: 3_600_000,
    attempts: 1,
  });
  /** The real client for `served` answers, then the provider refuses for the day. */
  const daySpentAfter = (served: number): ReferenceProvider => {
    const { provider } = partialAnswers(() => []);
    let answers = 0;
    return {
      async dailyBars(symbols, range) {
        if (answers >= served) throw dayLimit;
        const answer = await provider.dailyBars(symbols, range);
        answers++;
        return answer;
      },
    };
  };

  it("reports what it could not request as not validated (rate_limit), with what to do", async () => {
    const symbols = market.symbols().slice(0, 12);

    const { report } = await check(daySpentAfter(1), symbols);

    expect(report.results.map((r) => r.symbol)).toEqual(symbols);
    expect(report.results.slice(0, 8).every((r) => r.status !== "error")).toBe(true);
    for (const r of report.results.slice(8)) {
      expect(r).toMatchObject({ status: "error", error: { kind: "rate_limit" } });
      expect(r.error?.message).toMatch(/daily credits are spent.*run dq check again after 00:00 UTC/);
    }
  });

  it("refuses with what to do when nothing could be requested", async () => {
    await expect(check(daySpentAfter(0), market.symbols().slice(0, 3))).rejects.toThrow(
      /daily credits are spent.*run dq check again after 00:00 UTC, or start a session \(dq run\)/,
    );
  });
});

describe("dq check's progress bar", () => {
  it("shows only on a terminal, for a run longer than one window", () => {
    expect(showsProgress({ stderrIsTTY: true, symbols: 9, creditsPerWindow: 8 })).toBe(true);
    expect(showsProgress({ stderrIsTTY: true, symbols: 8, creditsPerWindow: 8 })).toBe(false);
    expect(showsProgress({ stderrIsTTY: false, symbols: 45, creditsPerWindow: 8 })).toBe(false);
  });
});
