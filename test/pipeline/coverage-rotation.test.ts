import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatStatus } from "../../app/cli/session-view.ts";
import { describeCoverage, rotationLength } from "../../app/pipeline/coverage.ts";
import type { SessionRecord, StoredResult } from "../../app/pipeline/model.ts";
import { ENV } from "../../app/wiring.ts";
import { LocalClock } from "../../local/clock.ts";
import { createSyntheticMarket } from "../../local/market/synthetic-market.ts";
import { spendElsewhere } from "../helpers/fault-injectors.ts";
import { startTestStack, type TestStack } from "../helpers/local-stack.ts";
import { testStartInstant } from "../helpers/pinned-clock.ts";
import { waitUntil } from "../helpers/wait-until.ts";

/**
 * Issue #18 on the local stack: a universe of 40 (the sample datalake, with its injected defects) on a plan of 16
 * credits a day, for the ledger and the emulator alike. The daily run is started as the schedule starts it, at
 * 04:30 UTC of each day from the pinned start's day (the date follows DQ_TEST_START; the stack's clock is moved a day
 * at a time, never read from the machine).
 */
const DAY_MS = 86_400_000;
const PER_DAY = 16;
const FIRST_RUN = Date.parse(`${new Date(testStartInstant()).toISOString().slice(0, 10)}T04:30:00Z`);

interface Run {
  session: SessionRecord;
  symbols: string[];
  results: StoredResult[];
  /** Credits the emulator charged during the run. */
  credits: number;
}

let t: TestStack;
let day = 0;
/** The configured universe (DQ_SYMBOLS, as a deployed stack's explicit list): 40 of the sample datalake's symbols. */
let universe: string[];
const configured = process.env[ENV.symbols];
beforeAll(async () => {
  const market = createSyntheticMarket();
  universe = [...market.symbols()].sort().slice(0, 40);
  process.env[ENV.symbols] = universe.join(",");
  t = await startTestStack({ market, creditsPerDay: PER_DAY, clock: new LocalClock(FIRST_RUN) });
}, 60_000);
afterAll(async () => {
  await t?.stop();
  if (configured === undefined) delete process.env[ENV.symbols];
  else process.env[ENV.symbols] = configured;
});

async function symbolsOf(sessionId: string): Promise<string[]> {
  const page = await t.stack.runtime.ctx.store.listBatches(sessionId, { limit: 100 });
  return page.items.flatMap((b) => b.symbols);
}

/** The daily run of the next day: the clock moves to its 04:30 UTC, and the schedule's start goes in. */
async function startDailyRun(): Promise<string> {
  t.stack.clock.advanceTo(FIRST_RUN + day * DAY_MS);
  const started = await t.start({ startedBy: { kind: "schedule" }, idempotencyKey: `daily-${day}` });
  day++;
  return started.sessionId;
}

async function dailyRun(): Promise<Run> {
  const emulator = t.stack.emulator;
  if (!emulator) throw new Error("no emulator");
  const before = emulator.counts().credits;
  const sessionId = await startDailyRun();
  const session = await t.waitForFinal(sessionId);
  const results = (await t.stack.runtime.ctx.store.listResults(sessionId, { limit: 100 })).items;
  return { session, symbols: await symbolsOf(sessionId), results, credits: emulator.counts().credits - before };
}

describe("coverage mode on the local stack", () => {
  const runs: Run[] = [];

  it("checks a universe of 40 at 16 credits a day in rotation: failures first, then never checked, then oldest", async () => {
    expect(universe.length).toBe(40);
    expect(t.sample.defects.filter((d) => universe.includes(d.symbol)).length).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) runs.push(await dailyRun());

    const checked = new Map<string, number[]>();
    runs.forEach((run, i) => {
      expect(run.session.status).toBe("completed");
      expect(run.session.params.coverage).toMatchObject({ mode: "rotation", round: i + 1, universeSize: 40 });
      expect(run.symbols.length).toBe(PER_DAY);
      // Never more than the day's credits: the emulator charged them, in a UTC day of their own.
      expect(run.credits).toBeLessThanOrEqual(PER_DAY);
      for (const s of run.symbols) checked.set(s, [...(checked.get(s) ?? []), i]);
    });

    /** Each symbol's outcome as of its latest check before day `i`. */
    const latestBefore = (i: number) => {
      const latest = new Map<string, string>();
      for (const run of runs.slice(0, i)) for (const r of run.results) latest.set(r.symbol, r.status);
      return latest;
    };
    for (let i = 1; i < runs.length; i++) {
      const today = new Set((runs[i] as Run).symbols);
      const latest = latestBefore(i);
      const retryTier = [...latest].filter(([, status]) => status !== "pass").map(([symbol]) => symbol);
      const passed = (s: string) => latest.get(s) === "pass";
      const neverChecked = universe.filter((s) => !latest.has(s));
      // What failed or could not be checked comes first (up to half the day), before anything else: yesterday's
      // failures among it.
      const retried = retryTier.filter((s) => today.has(s)).length;
      expect(retried).toBe(Math.min(retryTier.length, PER_DAY / 2));
      const failedYesterday = (runs[i - 1] as Run).results.filter((r) => r.status !== "pass").map((r) => r.symbol);
      if (retryTier.length <= PER_DAY / 2) expect(failedYesterday.filter((s) => !today.has(s))).toEqual([]);
      // While some symbol was never checked, no symbol that passed is checked again.
      const rechecks = [...today].filter(passed);
      if (neverChecked.length >= PER_DAY - retried) expect(rechecks).toEqual([]);
      // And among those that passed, the oldest come first: nothing checked later than one that is left waiting.
      const lastCheckOf = (s: string) => Math.max(...(checked.get(s) ?? [-1]).filter((d) => d < i));
      const waiting = universe.filter((s) => !today.has(s) && passed(s));
      for (const s of rechecks)
        for (const w of waiting) expect(lastCheckOf(s), `${s} before ${w}`).toBeLessThanOrEqual(lastCheckOf(w));
    }

    // Every symbol is checked within the rotation the sessions state (the failures each day rechecks included).
    const rotation = (runs.at(-1) as Run).session.params.coverage?.rotation ?? 0;
    const failing = [...latestBefore(runs.length - 1).values()].filter((status) => status !== "pass").length;
    expect(rotation).toBe(rotationLength(40, PER_DAY, failing));
    expect(checked.size).toBe(40);
    for (const [symbol, days] of checked) {
      expect(days[0], `${symbol} first checked`).toBeLessThan(rotation);
      const gaps = days.slice(1).map((d, i) => d - (days[i] as number));
      expect(Math.max(0, ...gaps), `${symbol} checked on days ${days}`).toBeLessThanOrEqual(rotation);
    }
  }, 180_000);

  it("shows the coverage in dq status and in the summary", async () => {
    const last = runs.at(-1) as Run;
    const view = await t.stack.runtime.operations.status(last.session.sessionId);
    const coverage = view.coverage;
    if (!coverage) throw new Error("no coverage figures");
    const failing = new Set(
      runs
        .flatMap((r) => r.results)
        .filter((r) => r.status === "fail")
        .map((r) => r.symbol),
    );

    expect(coverage).toMatchObject({ symbols: 40, neverChecked: 0, overdue: 0 });
    expect(coverage.failing).toBeLessThanOrEqual(failing.size);
    expect(formatStatus(view, t.stack.clock.now())).toContain(
      `coverage (rotation: today's slice of 40): ${describeCoverage(coverage)}`,
    );
    expect(describeCoverage(coverage)).toMatch(
      /^40 symbols: every bar verified within the last \d sessions; \d+ due today; \d+ failing/,
    );
    const final = t.finalEvents(last.session.sessionId)[0]?.detail as { coverage?: unknown } | undefined;
    // The same figures (a second delivery that finds the session final may take them again, a moment later).
    const { at: _at, ...figures } = coverage;
    expect(final?.coverage).toMatchObject(figures);
  });

  it("replaces a daily session still running when the next day's run starts, and checks what it left", async () => {
    const emulator = t.stack.emulator;
    if (!emulator) throw new Error("no emulator");
    // Another program on the key spends the provider's day before the run: the run pauses at its first request.
    t.stack.clock.advanceTo(FIRST_RUN + day * DAY_MS);
    for (const chunk of [universe.slice(0, 8), universe.slice(8, 16)]) {
      await waitUntil(async () => (await spendElsewhere(emulator.url, "demo", chunk)).accepted === 1, {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: "another program's request served",
      });
    }
    const first = await startDailyRun();
    const store = t.stack.runtime.ctx.store;
    await waitUntil(async () => (await store.getSession(first))?.pausedUntil, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: "the run to pause for the day",
    });
    const left = await symbolsOf(first);

    const second = await startDailyRun();
    const replaced = await t.waitForFinal(first);
    const next = await t.waitForFinal(second);

    expect(replaced.status).toBe("cancelled");
    expect(replaced.error).toBe(`replaced by the scheduled session ${second}`);
    expect(next.status).toBe("completed");
    // Nothing of the paused run was checked, so the same symbols were the most due the next day.
    expect((await symbolsOf(second)).sort()).toEqual([...left].sort());
    // The two never ran at once: the replaced one was final before the new one's first batch was taken.
    const batches = (await store.listBatches(second, { limit: 100 })).items;
    for (const b of batches) expect(b.startedAt && b.startedAt >= (replaced.finishedAt as string)).toBe(true);
  }, 120_000);
});
