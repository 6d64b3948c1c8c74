/**
 * The reliability suite's scaffold: the scenario type, the per-file suite runner, and the figures file that
 * docs/reliability.md quotes. It stays beside the suite: nothing else runs fault scenarios or writes those figures.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type Reliability, type ReliabilityOptions, startReliabilityStack } from "./harness.ts";
import { type Allowances, checkInvariants, type InvariantReport } from "./invariants.ts";

/** `DQ_RELIABILITY=heavy` adds the heavy scenarios to the default ones. */
export const TIER: "default" | "heavy" = process.env.DQ_RELIABILITY === "heavy" ? "heavy" : "default";

export interface ScenarioOutcome {
  sessionIds: string[];
  allow?: Allowances;
}

export interface ScenarioRecord {
  name: string;
  tier: "default" | "heavy";
  faults: Record<string, number>;
  invariants: InvariantReport;
}

/** The scenarios of one test file, the heavy ones only under DQ_RELIABILITY=heavy: never a skipped test. */
export function activeScenarios<T extends { heavy?: boolean }>(scenarios: readonly T[]): T[] {
  return scenarios.filter((s) => !s.heavy || TIER === "heavy");
}

/**
 * Runs one scenario on a clean slate (counts reset, faults disarmed), then the invariants; the record goes to the
 * figures file. Faults are disarmed before the invariants run, so the checks read the table without them.
 */
export async function runScenario(
  r: Reliability,
  figures: Figures,
  name: string,
  tier: "default" | "heavy",
  body: () => Promise<ScenarioOutcome>,
): Promise<ScenarioRecord> {
  await untilNoProcessorRuns(r);
  r.emulator.resetCounts();
  r.emulator.clearFaults();
  r.faults.reset();
  r.metrics.totals.clear();
  r.proxy.clearRewrites();
  let outcome: ScenarioOutcome;
  try {
    outcome = await body();
  } finally {
    r.dynamo.disarm();
    r.processor.reset();
    r.emulator.clearFaults();
    r.proxy.clearRewrites();
  }
  const faults = r.faults.snapshot();
  const invariants = await checkInvariants(r, outcome.sessionIds, outcome.allow);
  const record = { name, tier, faults, invariants };
  figures.add(record);
  return record;
}

/**
 * A scenario ends at its sessions' final events, but a batch of a session that was cancelled may still be at the
 * provider then (it passed the gate before the cancel landed). Its charge belongs to that scenario: counted in the
 * next one, its symbols would read as charged twice there.
 */
async function untilNoProcessorRuns(r: Reliability, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (r.stack.processorPoller.stats().inFlight > 0) {
    if (Date.now() > deadline) throw new Error(`a processor still ran ${timeoutMs} ms after the scenario before ended`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const FIGURES_PATH = join(dirname(fileURLToPath(import.meta.url)), "../../docs/reliability-figures.json");

interface FiguresFile {
  regenerate: string;
  totals: Record<string, Totals>;
  files: Record<string, Partial<Record<"default" | "heavy", ScenarioRecord[]>>>;
}

interface Totals {
  scenarios: number;
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  sessions: number;
  symbols: number;
  results: number;
  resultsLost: number;
  finalEvents: number;
  invariantChecks: number;
}

/**
 * The suite's own figures, quoted by docs/reliability.md: each test file replaces its section of
 * docs/reliability-figures.json for the tier it ran (test files run in parallel processes, hence the lock).
 */
export class Figures {
  readonly #file: string;
  readonly #records: ScenarioRecord[] = [];

  constructor(file: string) {
    this.#file = file;
  }

  add(record: ScenarioRecord): void {
    this.#records.push(record);
  }

  /** Writes only when every scenario of the file ran, so a partial run never replaces complete figures. */
  write(expected: number): void {
    // Only on request, so `npm test` and CI leave the committed figures alone.
    if (process.env.DQ_RELIABILITY_FIGURES !== "1") return;
    if (this.#records.length !== expected) return;
    withLock(`${FIGURES_PATH}.lock`, () => {
      const current: FiguresFile = existsSync(FIGURES_PATH)
        ? (JSON.parse(readFileSync(FIGURES_PATH, "utf8")) as FiguresFile)
        : { regenerate: "", totals: {}, files: {} };
      const section = current.files[this.#file] ?? {};
      section[TIER] = this.#records;
      if (TIER === "heavy") delete section.default;
      current.files = sortKeys({ ...current.files, [this.#file]: section });
      current.regenerate =
        "DQ_RELIABILITY_FIGURES=1 npx vitest run test/reliability (default tier, also part of npm test); DQ_RELIABILITY_FIGURES=1 DQ_RELIABILITY=heavy npx vitest run test/reliability (default + heavy)";
      current.totals = totals(current.files);
      const tmp = `${FIGURES_PATH}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(current, null, 2)}\n`);
      renameSync(tmp, FIGURES_PATH);
    });
  }
}

function totals(files: FiguresFile["files"]): Record<string, Totals> {
  const out: Record<string, Totals> = {};
  for (const section of Object.values(files))
    for (const [tier, records] of Object.entries(section)) {
      const t = out[tier] ?? {
        scenarios: 0,
        faultsInjected: 0,
        faultsByKind: {},
        sessions: 0,
        symbols: 0,
        results: 0,
        resultsLost: 0,
        finalEvents: 0,
        invariantChecks: 0,
      };
      out[tier] = t;
      for (const r of records ?? []) {
        t.scenarios++;
        for (const [kind, n] of Object.entries(r.faults)) {
          t.faultsInjected += n;
          t.faultsByKind[kind] = (t.faultsByKind[kind] ?? 0) + n;
        }
        t.sessions += r.invariants.sessions;
        t.symbols += r.invariants.symbols;
        t.results += r.invariants.results;
        t.resultsLost += r.invariants.resultsLost;
        t.finalEvents += r.invariants.finalEvents;
        t.invariantChecks += r.invariants.checks;
      }
      t.faultsByKind = sortKeys(t.faultsByKind);
    }
  return out;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function withLock(path: string, fn: () => void): void {
  const deadline = Date.now() + 10_000;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(path, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock older than the deadline belongs to a process that died: take it over.
      if (Date.now() > deadline) unlinkSync(path);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    fn();
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
}

export interface Scenario {
  name: string;
  heavy?: boolean;
  timeoutMs?: number;
  run(r: Reliability): Promise<ScenarioOutcome>;
}

/**
 * One test file's suite: a reliability stack for the file, one test per active scenario (each ending in the
 * invariant checks), and the file's figures written once every scenario ran.
 */
export function scenarioSuite(
  title: string,
  file: string,
  scenarios: readonly Scenario[],
  stack: ReliabilityOptions = {},
): void {
  const active = activeScenarios(scenarios);
  const figures = new Figures(file);
  let r: Reliability;
  beforeAll(async () => {
    r = await startReliabilityStack(stack);
  }, 60_000);
  afterAll(async () => {
    await r?.stop();
    figures.write(active.length);
  });
  describe(title, () => {
    for (const scenario of active)
      it(
        scenario.name,
        async () => {
          await runScenario(r, figures, scenario.name, scenario.heavy ? "heavy" : "default", () => scenario.run(r));
        },
        scenario.timeoutMs ?? 90_000,
      );
  });
}
