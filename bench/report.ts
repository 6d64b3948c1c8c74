import type { BundleFigures } from "./bundles.ts";
import type { PRICES } from "./cost.ts";
import type { EngineFigures } from "./engine-run.ts";
import type { ScenarioResult } from "./pipeline-scenario.ts";
import type { AckLatency } from "./slack-ack.ts";

export interface BenchResults {
  generatedAt: string;
  machine: { node: string; cpus: number; platform: string };
  prices: typeof PRICES;
  scenarios: ScenarioResult[];
  engine?: EngineFigures;
  slackAck?: AckLatency[];
  bundles?: BundleFigures[];
}

const usd = (value: number) => (value < 0.01 ? `$${value.toFixed(5)}` : `$${value.toFixed(4)}`);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const n = (value: number, digits = 2) => value.toFixed(digits);

/** Older results have no arrivals. */
const arrivalsOf = (f: { arrivals?: { meanGapWindows: number; spreadMs: { p50: number; max: number } } }) =>
  f.arrivals ? `${n(f.arrivals.meanGapWindows, 4)} W, ${f.arrivals.spreadMs.p50} / ${f.arrivals.spreadMs.max} ms` : "—";

/** The results as the markdown tables bench/results/latest.md holds. */
export function toMarkdown(results: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# dq benchmark results`, "");
  lines.push(
    `Generated ${results.generatedAt} on ${results.machine.platform}, ${results.machine.cpus} CPUs, Node ${results.machine.node}. ` +
      "Local stack, Twelve Data emulator in strict (rolling-window) mode, scaled credit windows. See bench/README.md.",
    "",
    results.scenarios.some((r) => r.shape.providerLatency)
      ? "The emulator answers each request after the provider's latency (local/twelvedata/latency.ts), scaled to the window, once it has charged it."
      : "The emulator answers at once (`--latency instant`).",
    "",
  );
  lines.push("## Schedule: makespan / lower bound (goal <= 1.02), dq beside the chained design", "");
  lines.push(
    "| scenario | window | batch / concurrency | dq makespan | lower bound | **dq ratio** | chained makespan | **chained ratio** | one batch (p50) | slots used / min | margin share | dq slots at the provider: mean gap, spread p50 / max |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of results.scenarios) {
    const chained = `${s(r.chained.makespanMs)}${r.chained.extrapolated ? ` (${r.chained.linksRun}/${r.chained.linksTotal} links run)` : ""}`;
    const broke =
      r.chained.rateLimited > 0
        ? ` (invalid: ${r.chained.rateLimited} x 429, ${r.chained.lostResults} results lost)`
        : "";
    lines.push(
      `| ${r.title} | ${r.shape.windowSeconds} s | ${r.shape.batchSize} / ${r.shape.processorConcurrency} | ${s(r.dq.makespanMs)} | ${s(r.dq.lowerBoundMs)} | **${n(r.dq.ratio, 3)}** | ${chained} | **${n(r.chained.ratio, 2)}**${broke} | ${Math.round(r.dq.batchProcessingMs.p50)} ms | ${r.dq.slotsUsed} / ${r.dq.slotsMinimum} | ${(r.dq.marginShare * 100).toFixed(1)} % | ${arrivalsOf(r.dq)} |`,
    );
  }
  lines.push("", "## Zero counts (goal 0) and credits per symbol (goal 1.00)", "");
  lines.push(
    "| scenario | dq 429s | dq credits/symbol | dq repeated symbols | dq lost results | dq max credits in a rolling window | chained 429s | chained lost results |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const r of results.scenarios) {
    lines.push(
      `| ${r.title} | ${r.dq.rateLimited} | ${n(r.dq.creditsPerSymbol)} | ${r.dq.repeatedSymbols} | ${r.dq.lostResults} | ${r.dq.maxCreditsInAnyWindow} / ${r.shape.creditsPerWindow} | ${r.chained.rateLimited} | ${r.chained.lostResults} |`,
    );
  }
  lines.push("", "## AWS requests per symbol and cost per run (us-east-1 list prices)", "");
  lines.push(
    "| scenario | design | DynamoDB reads | DynamoDB writes | SQS sends | SQS receives (with a message) | EventBridge events | Lambda invocations | Lambda GB-s | cost per run | per 1,000 symbols |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of results.scenarios) {
    for (const [design, f] of [
      ["dq", r.dq],
      ["chained", r.chained],
    ] as const) {
      const p = f.perSymbol;
      lines.push(
        `| ${r.title} | ${design} | ${n(p.dynamoReads)} | ${n(p.dynamoWrites)} | ${n(p.sqsSends)} | ${n(p.sqsReceives)} | ${n(p.eventBridgeEvents)} | ${n(p.lambdaInvocations)} | ${n(f.counts.lambdaGbSeconds, 1)} | ${usd(f.cost.total)} | ${usd(f.costPer1000Symbols)} |`,
      );
    }
  }
  lines.push("", "## Cost per 1,000 symbols by part, and where the Lambda time goes", "");
  lines.push(
    "| scenario | design | DynamoDB | SQS | EventBridge | Scheduler | Lambda | total | Lambda GB-s by function |",
    "|---|---|---|---|---|---|---|---|---|",
  );
  for (const r of results.scenarios) {
    for (const [design, f] of [
      ["dq", r.dq],
      ["chained", r.chained],
    ] as const) {
      const per = 1000 / r.symbols;
      const c = f.cost;
      const by = Object.entries(f.counts.lambdaGbSecondsBy ?? {})
        .map(([fn, gbs]) => `${fn} ${n(gbs ?? 0, 1)}`)
        .join(", ");
      lines.push(
        `| ${r.title} | ${design} | ${usd(c.dynamo * per)} | ${usd(c.sqs * per)} | ${usd(c.eventBridge * per)} | ${usd(c.scheduler * per)} | ${usd(c.lambda * per)} | ${usd(f.costPer1000Symbols)} | ${by} |`,
      );
    }
  }
  lines.push("", "## Coordinator latency and item sizes (dq)", "");
  lines.push(
    "| scenario | coordinator (ms) | largest item | session item | batch item | result item | warnings / errors logged | days (active s, symbols) |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const r of results.scenarios) {
    const k = r.dq.largestByKind;
    const days = r.dq.days.map((d) => `${s(d.activeMs)}, ${d.symbols}`).join("; ");
    lines.push(
      `| ${r.title} | ${r.dq.coordinatorMs.join(", ")} | ${r.dq.largestItem.bytes} B (${r.dq.largestItem.kind}) | ${k.session ?? 0} B | ${k.batch ?? 0} B | ${k.result ?? 0} B | ${r.dq.warnings} / ${r.dq.errors} | ${days} |`,
    );
  }
  if (results.engine) {
    const e = results.engine;
    lines.push("", "## Engine throughput", "");
    lines.push(
      `${e.symbols} symbols x ${e.barsPerSymbol} bars in ${e.medianMs} ms (median): **${(e.barsPerSecond / 1e6).toFixed(2)} M bars/s**, ${e.symbolsPerSecond} symbols/s.`,
    );
  }
  if (results.slackAck) {
    lines.push("", "## Slack acknowledgement latency (in-process, signed requests)", "");
    lines.push("| command | requests | first | p50 | p99 | max |", "|---|---|---|---|---|---|");
    for (const a of results.slackAck)
      lines.push(
        `| \`${a.command}\` | ${a.requests} | ${a.firstMs} ms | ${a.p50Ms} ms | ${a.p99Ms} ms | ${a.maxMs} ms |`,
      );
  }
  if (results.bundles) {
    lines.push("", "## Lambda bundles: size and module-load time (fresh node process, median)", "");
    lines.push("| function | bundle | deflated | module load |", "|---|---|---|---|");
    for (const b of results.bundles)
      lines.push(
        `| ${b.functionName} | ${(b.bytes / 1024).toFixed(0)} KiB | ${(b.deflatedBytes / 1024).toFixed(0)} KiB | ${b.loadMs} ms |`,
      );
  }
  lines.push("");
  return lines.join("\n");
}
