/**
 * The benchmarks: every pipeline scenario on the local stack (dq beside the chained design), the engine's
 * throughput, the Slack acknowledgement latency and the Lambda bundles; writes bench/results/latest.json and
 * latest.md.
 *
 *   npm run bench                      # the full set (about 20 minutes on 2 cores)
 *   npm run bench -- --only 188-at-8   # some scenarios (comma-separated names), nothing else
 *   npm run bench -- --ci              # the quick subset test/bench guards
 *   npm run bench -- --out /tmp/x      # write elsewhere
 *   npm run bench -- --latency instant     # an emulator that answers at once (the default is the provider's
 *                                          # latency, local/twelvedata/latency.ts, scaled to the window)
 *   npm run bench -- --coverage        # coverage mode over simulated weeks (bench/coverage.ts), nothing else
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PROVIDER_LATENCY } from "../local/twelvedata/latency.ts";
import { measureBundles } from "./bundles.ts";
import { PRICES } from "./cost.ts";
import { measureEngine } from "./engine-run.ts";
import type { ScenarioResult } from "./pipeline-scenario.ts";
import { runPipelineScenario } from "./pipeline-scenario.ts";
import { type BenchResults, toMarkdown } from "./report.ts";
import { CI_SCENARIOS, FULL_SCENARIOS } from "./scenarios.ts";
import { measureSlackAck } from "./slack-ack.ts";

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    ci: { type: "boolean", default: false },
    out: { type: "string", default: fileURLToPath(new URL("./results", import.meta.url)) },
    latency: { type: "string", default: "realistic" },
    coverage: { type: "boolean", default: false },
  },
});
if (values.coverage) {
  const { COVERAGE_RESULTS, runCoverageBench } = await import("./coverage.ts");
  await runCoverageBench({ out: COVERAGE_RESULTS });
  process.exit(0);
}
if (values.latency !== "instant" && values.latency !== "realistic")
  throw new Error(`--latency must be instant or realistic, got ${values.latency}`);
const latency = values.latency === "realistic" ? { providerLatency: PROVIDER_LATENCY } : {};

const progress = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const all = values.ci ? CI_SCENARIOS : FULL_SCENARIOS;
const only = values.only?.split(",").map((name) => name.trim());
const selected = only ? all.filter((s) => only.includes(s.name)) : all;
if (only && selected.length !== only.length)
  throw new Error(`unknown scenario in --only ${values.only}; known: ${all.map((s) => s.name).join(", ")}`);

const scenarios: ScenarioResult[] = [];
for (const scenario of selected)
  scenarios.push(await runPipelineScenario({ ...scenario, shape: { ...scenario.shape, ...latency } }, progress));
const results: BenchResults = {
  generatedAt: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, platform: `${process.platform}-${process.arch}` },
  prices: PRICES,
  scenarios,
};
if (!only && !values.ci) {
  progress("engine throughput");
  results.engine = measureEngine();
  progress("Slack acknowledgement latency");
  results.slackAck = await measureSlackAck(["status", "help"], 200);
  progress("Lambda bundles");
  results.bundles = measureBundles();
}

mkdirSync(values.out, { recursive: true });
const name = values.ci ? "ci" : only ? "partial" : "latest";
writeFileSync(join(values.out, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
const markdown = toMarkdown(results);
writeFileSync(join(values.out, `${name}.md`), markdown);
process.stdout.write(markdown);
// Keep-alive sockets of the SDK clients must not hold the process open.
process.exit(0);
