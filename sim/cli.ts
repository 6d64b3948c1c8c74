import { parseArgs } from "node:util";
import { replayCommand, runSeed, type SeedReport } from "./run.ts";
import type { Profile } from "./scenario.ts";

/**
 * `npm run sim -- --seeds N [--from S]` runs seeds S .. S+N-1; `--seed X [--verbose]` replays one. Prints one line
 * per failing seed with the command that replays it, then the totals; exits 1 on any violation.
 */
export interface SimTotals {
  seeds: number;
  sessions: number;
  simulatedHours: number;
  faults: number;
  stuck: number;
  violations: number;
  republished: number;
  failingSeeds: number[];
  wallSeconds: number;
  faultsByKind: Map<string, number>;
}

export async function runSeeds(
  seeds: readonly number[],
  options: { verbose?: boolean; profile?: Profile; onReport?: (report: SeedReport) => void } = {},
): Promise<SimTotals> {
  const totals: SimTotals = {
    seeds: 0,
    sessions: 0,
    simulatedHours: 0,
    faults: 0,
    stuck: 0,
    violations: 0,
    republished: 0,
    failingSeeds: [],
    wallSeconds: 0,
    faultsByKind: new Map(),
  };
  const start = performance.now();
  for (const seed of seeds) {
    const report = await runSeed(seed, options);
    totals.seeds++;
    totals.sessions += report.sessions.length;
    totals.simulatedHours += report.simulatedMs / 3_600_000;
    totals.faults += report.faults;
    totals.stuck += report.stuck;
    totals.violations += report.violations.length;
    totals.republished += report.republished;
    for (const [kind, n] of report.faultsByKind)
      totals.faultsByKind.set(kind, (totals.faultsByKind.get(kind) ?? 0) + n);
    if (report.violations.length > 0) totals.failingSeeds.push(seed);
    options.onReport?.(report);
  }
  totals.wallSeconds = (performance.now() - start) / 1000;
  return totals;
}

export function describeFailure(report: SeedReport): string {
  const first = report.violations[0];
  return `seed ${report.seed} (${report.profile}): ${report.violations.length} violation(s), first: ${first?.invariant}: ${first?.detail} — replay: ${replayCommand(report.seed)}`;
}

export function describeTotals(t: SimTotals): string {
  return [
    `seeds: ${t.seeds}`,
    `simulated sessions: ${t.sessions}`,
    `simulated hours: ${t.simulatedHours.toFixed(1)}`,
    `faults injected: ${t.faults}`,
    `sessions stuck: ${t.stuck}`,
    `invariant violations: ${t.violations}`,
    `final events published twice (same eventId, worker died between PutEvents and recording it): ${t.republished}`,
    `wall time: ${t.wallSeconds.toFixed(1)} s`,
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: "string" },
      from: { type: "string", default: "1" },
      seed: { type: "string" },
      verbose: { type: "boolean", default: false },
      profile: { type: "string" },
      faults: { type: "boolean", default: false },
    },
  });
  const from = Number(values.from);
  const seeds =
    values.seed !== undefined
      ? [Number(values.seed)]
      : Array.from({ length: Number(values.seeds ?? "20") }, (_, i) => from + i);
  const verbose = values.verbose ?? false;
  const totals = await runSeeds(seeds, {
    verbose,
    ...(values.profile ? { profile: values.profile as Profile } : {}),
    onReport: (report) => {
      if (report.violations.length > 0) {
        console.log(describeFailure(report));
        if (seeds.length === 1) for (const v of report.violations) console.log(`  ${v.invariant}: ${v.detail}`);
      } else if (seeds.length === 1 || verbose) {
        console.log(
          `seed ${report.seed} (${report.profile}): ok — ${report.sessions.length} sessions, ${(report.simulatedMs / 3_600_000).toFixed(1)} h, ${report.faults} faults, ${report.events} events, ${report.wallMs.toFixed(0)} ms`,
        );
      }
    },
  });
  console.log(describeTotals(totals));
  if (values.faults)
    for (const [kind, n] of [...totals.faultsByKind].sort((a, b) => b[1] - a[1])) console.log(`  ${n} × ${kind}`);
  process.exitCode = totals.violations > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
