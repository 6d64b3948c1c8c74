/**
 * Coverage mode over simulated weeks (issue #18): 5,000 symbols on Basic (8 credits a minute, 800 a day), the daily
 * schedule starting a session over the universe every weekday run, on the deterministic simulation (sim/coverage.ts:
 * virtual clock, in-memory ports, the real handlers). Writes bench/results/coverage/results.{json,md}.
 *
 *   npm run bench -- --coverage                       # the scenario (about 40 s on 2 cores)
 *   node bench/coverage.ts --symbols 500 --runs 10    # another size (writes nothing unless --out is given)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { describeCoverage } from "../app/pipeline/coverage.ts";
import { type CoverageRunReport, runCoverage } from "../sim/coverage.ts";

export interface CoverageBenchOptions {
  symbols?: number;
  runs?: number;
  /** Where results.{json,md} go; nothing is written without it. */
  out?: string;
}

export const COVERAGE_RESULTS = fileURLToPath(new URL("./results/coverage", import.meta.url));

/** The scenario at the lookback its rotation needs, then at the default lookback (10 days), which is too short. */
export async function runCoverageBench(options: CoverageBenchOptions = {}): Promise<CoverageRunReport[]> {
  const base = { symbols: options.symbols ?? 5_000, creditsPerMinute: 8, creditsPerDay: 800, runs: options.runs ?? 20 };
  const progress = (line: string) =>
    process.stderr.write(`[coverage ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const reports: CoverageRunReport[] = [];
  for (const lookbackDays of [13, 10]) {
    progress(`${base.symbols} symbols, ${base.runs} daily runs, lookback ${lookbackDays} days`);
    reports.push(await runCoverage({ ...base, lookbackDays }));
  }
  const markdown = toMarkdown(reports);
  if (options.out) {
    mkdirSync(options.out, { recursive: true });
    const generatedAt = new Date().toISOString();
    const machine = { node: process.version, cpus: cpus().length, platform: `${process.platform}-${process.arch}` };
    writeFileSync(join(options.out, "results.json"), `${JSON.stringify({ generatedAt, machine, reports }, null, 2)}\n`);
    writeFileSync(join(options.out, "results.md"), markdown);
  }
  process.stdout.write(markdown);
  return reports;
}

export function toMarkdown(reports: readonly CoverageRunReport[]): string {
  const lines = ["# Coverage mode: a universe larger than the plan's day", ""];
  for (const r of reports) {
    const o = r.options;
    lines.push(
      `## ${o.symbols.toLocaleString("en-US")} symbols at ${o.creditsPerMinute}/min, ${o.creditsPerDay}/day; ${o.runs} daily runs; lookback ${o.lookbackDays} days`,
      "",
      `Deterministic simulation (seed ${o.seed}): the real handlers on in-memory ports and a virtual clock; the daily schedule at 04:30 UTC Tuesday to Saturday; a market that moves a day each day; every ${o.defectEvery}th symbol with a defect (fails every check); datalake reads failing at ${o.datalakeFailureRate} (the symbol could not be checked). ${r.simulatedDays.toFixed(1)} simulated days in ${(r.wallMs / 1000).toFixed(1)} s.`,
      "",
      "| figure | value |",
      "| --- | --- |",
      `| coverage reached (every symbol checked once) | after run ${r.coveredAfterRun ?? "never"} |`,
      `| rotation: planned ceil(N / day) / as the last session stated it (failures rechecked daily) | ${r.plannedRotation} / ${r.rotation} sessions |`,
      `| daily runs between two checks of a passing symbol: p50 / max / max in the steady state | ${r.rotationP50} / ${r.rotationMax} / ${r.rotationSteadyMax} |`,
      `| checks a day late because the previous one could not run (retried the next run): count / longest gap | ${r.lateAfterError.count} / ${r.lateAfterError.maxGap} |`,
      `| credits charged in one UTC day, at most | ${r.maxCreditsPerDay} (plan ${o.creditsPerDay}) |`,
      `| sessions over the universe running at the same time | ${r.overlappingSessions} pairs |`,
      `| failed or unchecked symbols checked again the next run | ${r.rechecked.next} of ${r.rechecked.of} |`,
      `| lookback the rotation needs / checks that left bars unverified | ${r.requiredLookbackDays} days / ${r.unverifiedGaps} |`,
      `| simulation invariants violated | ${r.violations.length} |`,
      `| figures after the last run | ${r.figures ? describeCoverage(r.figures) : "none"} |`,
      ...(r.figures?.lookbackWarning ? [`| warning | ${r.figures.lookbackWarning} |`] : []),
      "",
      "| day | round | status | symbols | passed | failed | errored | minutes | credits that UTC day |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...r.runs.map(
        (d) =>
          `| ${d.day} | ${d.round} | ${d.status} | ${d.symbols} | ${d.passed} | ${d.failed} | ${d.errored} | ${d.minutes} | ${d.creditsCharged} |`,
      ),
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { symbols: { type: "string" }, runs: { type: "string" }, out: { type: "string" } },
  });
  await runCoverageBench({
    ...(values.symbols ? { symbols: Number(values.symbols) } : {}),
    ...(values.runs ? { runs: Number(values.runs) } : {}),
    ...(values.out ? { out: values.out } : {}),
  });
}
