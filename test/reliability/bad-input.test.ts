import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { symbolToPathSegment } from "../../app/domain/symbol.ts";
import type { StoredResult } from "../../app/pipeline/model.ts";
import { MAX_SYMBOLS } from "../../app/pipeline/start-session.ts";
import type { Reliability } from "./harness.ts";
import { type Scenario, scenarioSuite } from "./scenario.ts";

/**
 * Bad input at every boundary: coordinator events, symbols, the datalake's files, the provider's answers.
 * Each gets a clear error, on its own symbol where it concerns one, and the rest of the session is unaffected.
 */
const BAD_EVENTS: [string, Record<string, unknown>, RegExp][] = [
  ["symbols as a string", { symbols: "AAPL" }, /symbols: .*expected array/i],
  ["lookbackDays as a string", { symbols: ["AAPL"], lookbackDays: "10" }, /lookbackDays: .*expected number/i],
  ["an unknown field", { symbols: ["AAPL"], colour: "red" }, /colour|unrecognized/i],
  ["an unknown starter", { symbols: ["AAPL"], startedBy: { kind: "robot" } }, /startedBy\.kind/],
  ["a lookback of 0 days", { symbols: ["AAPL"], lookbackDays: 0 }, /lookbackDays/],
  ["a lookback of a billion days", { symbols: ["AAPL"], lookbackDays: 1e9 }, /lookbackDays/],
  ["a fractional lookback", { symbols: ["AAPL"], lookback_days: 3.5 }, /lookback_days/],
  ["a negative lookback", { symbols: ["AAPL"], lookbackDays: -5 }, /lookbackDays/],
  ["a path traversal", { symbols: ["../etc/passwd"] }, /invalid symbol/],
  ["a backslash", { symbols: ["A\\B"] }, /invalid symbol/],
  ["a shell injection", { symbols: ["AAPL;rm -rf"] }, /invalid symbol/],
  ["a percent-encoded slash", { symbols: ["A%2FB"] }, /invalid symbol/],
  ["a query injection", { symbols: ["AAPL&apikey=x"] }, /invalid symbol/],
  ["markup", { symbols: ["<script>"] }, /invalid symbol/],
  ["a datalake without {symbol}", { symbols: ["AAPL"], datalake: "file:///etc/passwd" }, /datalake/],
  ["a symbol that is not a string", { symbols: [42] }, /symbols\.0/],
  [`${MAX_SYMBOLS + 1} symbols`, { symbols: manySymbols(MAX_SYMBOLS + 1) }, /at most 20000 symbols/],
];

function manySymbols(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `Q${String(i).padStart(5, "0")}`);
}

function csvPath(r: Reliability, symbol: string): string {
  return fileURLToPath(r.sample.uriTemplate.replace("{symbol}", symbolToPathSegment(symbol)));
}

function cleanSymbols(r: Reliability): string[] {
  return r.sample.symbols.filter((s) => (r.sample.labels[s] ?? []).length === 0);
}

async function resultsBySymbol(r: Reliability, sessionId: string): Promise<Map<string, StoredResult>> {
  const { results } = await r.stack.runtime.operations.allResults(sessionId);
  return new Map(results.map((x) => [x.symbol, x]));
}

const scenarios: Scenario[] = [
  {
    name: "coordinator events with wrong types, unknown fields, absurd lookbacks, injected symbols, too many symbols",
    async run(r) {
      const before = (await r.stack.runtime.operations.list(100)).items.length;
      for (const [what, event, expected] of BAD_EVENTS) {
        const result = await r.coordinate(event);
        expect(result.status, what).toBe("rejected");
        const error = (result as { error: string }).error;
        expect(error, what).toMatch(expected);
        expect(error, what).not.toContain("\n");
        expect(error.length, what).toBeLessThan(300);
        r.faults.add("bad coordinator event");
      }
      expect((await r.stack.runtime.operations.list(100)).items.length).toBe(before);
      expect(r.logs.filter((l) => l.message === "start request rejected").length).toBeGreaterThanOrEqual(
        BAD_EVENTS.length,
      );
      return { sessionIds: [] };
    },
  },
  {
    name: "10,000 valid symbols are accepted quickly (and cancelled)",
    async run(r) {
      const t0 = Date.now();
      const started = await r.start({ symbols: manySymbols(10_000) });
      const elapsed = Date.now() - t0;
      expect(started).toMatchObject({ status: "initiated", totalSymbols: 10_000, totalBatches: 1_250 });
      expect(elapsed).toBeLessThan(15_000);
      r.faults.add("oversized universe (10,000 symbols)");
      await r.stack.runtime.operations.cancel(started.sessionId, "test");
      await r.waitForFinal(started.sessionId);
      return { sessionIds: [started.sessionId] };
    },
  },
  {
    name: "symbols with path separators reach neither a datalake path nor the provider's URL unescaped",
    async run(r) {
      // Decoys where an unescaped symbol would lead: reading one would make a datalake error, not a provider one.
      mkdirSync(join(r.dir, "ZZ"), { recursive: true });
      writeFileSync(join(r.dir, "ZZ", "Q.csv"), "this is not a datalake file\n");
      writeFileSync(join(r.dir, "ZZ:Q.csv"), "this is not a datalake file\n");
      const symbols = ["ZZ/Q", "ZZ:Q", ...cleanSymbols(r).slice(0, 6)];
      const started = await r.start({ symbols });
      await r.waitForFinal(started.sessionId);
      r.faults.add("symbol with a path separator", 2);
      const results = await resultsBySymbol(r, started.sessionId);
      for (const s of ["ZZ/Q", "ZZ:Q"]) {
        expect(results.get(s)?.status, s).toBe("error");
        expect(results.get(s)?.error?.kind, s).toBe("provider");
      }
      for (const s of symbols.slice(2)) expect(results.get(s)?.status, s).toBe("pass");
      const urls = r.proxy.requests().map((q) => q.rawUrl);
      const special = urls.filter((u) => u.includes("ZZ"));
      expect(special.length).toBeGreaterThan(0);
      for (const u of special) {
        expect(u.startsWith("/time_series?")).toBe(true);
        expect(u).toContain("ZZ%2FQ");
        expect(u).toContain("ZZ%3AQ");
        expect(u).not.toMatch(/ZZ[/:]Q/);
      }
      return { sessionIds: [started.sessionId] };
    },
  },
  {
    name: "datalake files that are empty, truncated, wrongly typed, NaN or negative fail only their own symbol",
    // A NaN cell is a missing value reported on its date (issue 19), not an unreadable file.
    async run(r) {
      const [empty, truncated, typed, nan, negative, ...rest] = cleanSymbols(r).slice(0, 16) as string[];
      const lines = (s: string) =>
        readFileSync(csvPath(r, s as string), "utf8")
          .trimEnd()
          .split("\n");
      writeFileSync(csvPath(r, empty as string), "");
      const t = lines(truncated as string);
      writeFileSync(csvPath(r, truncated as string), `${t.slice(0, -1).join("\n")}\n${(t.at(-1) ?? "").slice(0, 14)}`);
      writeFileSync(
        csvPath(r, typed as string),
        lines(typed as string)
          .map((l, i) => (i === 2 ? l.replace(/,[\d.]+,/, ",abc,") : l))
          .join("\n"),
      );
      writeFileSync(
        csvPath(r, nan as string),
        lines(nan as string)
          .map((l, i) => (i === 2 ? l.replace(/,[\d.]+,/, ",NaN,") : l))
          .join("\n"),
      );
      const n = lines(negative as string);
      const last = (n.at(-1) ?? "").split(",");
      last[4] = `-${last[4]}`;
      writeFileSync(csvPath(r, negative as string), [...n.slice(0, -1), last.join(",")].join("\n"));
      r.faults.add("broken datalake file", 5);

      const started = await r.start({ symbols: [empty, truncated, typed, nan, negative, ...rest] as string[] });
      await r.waitForFinal(started.sessionId);
      const results = await resultsBySymbol(r, started.sessionId);
      expect(results.get(empty as string)?.issues.map((i) => i.code)).toContain("no_data");
      expect(results.get(nan as string)?.issues.map((i) => i.code)).toEqual(["missing_value"]);
      for (const s of [truncated, typed] as string[]) {
        expect(results.get(s)?.status, s).toBe("error");
        expect(results.get(s)?.error?.kind, s).toBe("datalake");
        expect(results.get(s)?.error?.message, s).toMatch(/line \d+/);
      }
      expect(results.get(negative as string)?.issues.map((i) => i.code)).toContain("ohlc_invalid");
      for (const s of rest) expect(results.get(s)?.status, s).toBe("pass");
      return { sessionIds: [started.sessionId] };
    },
  },
  {
    name: "provider answers with missing fields, strings where numbers belong and duplicated dates",
    async run(r) {
      const [missing, strings, duplicated, ...rest] = cleanSymbols(r).slice(16, 32) as string[];
      type Entry = { values?: Record<string, unknown>[] };
      r.proxy.rewrite(missing as string, (e) => ({
        ...e,
        values: (e as Entry).values?.map(({ close: _, ...v }) => v),
      }));
      r.proxy.rewrite(strings as string, (e) => ({
        ...e,
        values: (e as Entry).values?.map((v) => ({ ...v, high: "twelve" })),
      }));
      r.proxy.rewrite(duplicated as string, (e) => ({
        ...e,
        values: (e as Entry).values?.flatMap((v) => [v, { ...v, close: String(Number(v.close) * 1.5) }]),
      }));
      const started = await r.start({ symbols: [missing, strings, duplicated, ...rest] as string[] });
      await r.waitForFinal(started.sessionId);
      const results = await resultsBySymbol(r, started.sessionId);
      for (const s of [missing, strings] as string[]) {
        expect(results.get(s)?.status, s).toBe("error");
        expect(results.get(s)?.error?.message, s).toMatch(/malformed provider answer/);
      }
      // A date the reference answers twice with different values is never validated against; here every date is.
      expect(results.get(duplicated as string)?.status).toBe("error");
      expect(results.get(duplicated as string)?.error?.message).toMatch(/answered twice with different values/);
      for (const s of rest) expect(results.get(s)?.status, s).toBe("pass");
      expect(r.faults.get("provider answer rewritten")).toBeGreaterThanOrEqual(3);
      return { sessionIds: [started.sessionId] };
    },
  },
];

// A short horizon, so a 10,000-symbol session queues a few batches rather than fifteen minutes of them.
scenarioSuite("bad input", "bad-input", scenarios, { horizonMs: 5_000 });
