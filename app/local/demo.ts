import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSyntheticMarket } from "../market/synthetic-market.ts";
import type { Operations } from "../pipeline/operations.ts";
import type { StartInput, StartResult } from "../pipeline/start-session.ts";
import type { LocalFunction } from "./aws/functions.ts";
import { compareWithLabels, describeComparison } from "./labels.ts";
import { generateSampleDatalake } from "./sample-datalake/index.ts";
import { type LocalStack, startLocalStack } from "./stack.ts";
import { terminalLog } from "./terminal-log.ts";

export interface DemoOptions {
  /** How many symbols of the synthetic market (every injected defect is among them). @default 40 */
  symbols?: number;
  creditsPerWindow?: number;
  /** The scaled credit window. @default 2 */
  windowSeconds?: number;
  stdout?: NodeJS.WritableStream;
  /** Waits for the session with a progress display. */
  wait: (operations: Operations, sessionId: string) => Promise<void>;
  /** Starts a session through the coordinator function, as `dq run` does. */
  start: (input: StartInput) => Promise<StartResult>;
  /** The notifier of the channel; receives every event the rules route to it. */
  notifier?: (stack: () => LocalStack) => LocalFunction;
  verbose?: boolean;
}

export interface DemoOutcome {
  sessionId: string;
  found: number;
  missed: number;
  falseAlarms: number;
  rateLimited: number;
  repeatedSymbols: number;
  elapsedMs: number;
}

/**
 * The whole pipeline on the local stack: a sample datalake with known defects, a session of about 40 symbols at
 * 8 credits per scaled window, live progress, the channel's notifications, then the report checked against the
 * injected defects.
 */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const out = options.stdout ?? process.stdout;
  const market = createSyntheticMarket();
  const asOf = new Date();
  const dir = mkdtempSync(join(tmpdir(), "dq-demo-"));
  const all = market.symbols();
  const sample = await generateSampleDatalake({ dir, market, asOf, symbols: all });
  const defective = Object.keys(sample.labels).filter((s) => (sample.labels[s] ?? []).length > 0);
  const wanted = options.symbols ?? 40;
  const clean = all.filter((s) => !defective.includes(s)).slice(0, Math.max(0, wanted - defective.length));
  const symbols = [...defective, ...clean].sort();

  const windowSeconds = options.windowSeconds ?? 2;
  const creditsPerMinute = options.creditsPerWindow ?? 8;
  out.write(
    `dq demo: ${symbols.length} symbols (${defective.length} with an injected defect) at ${creditsPerMinute} credits per ${windowSeconds} s window, on the local stack\n`,
  );
  let stackRef: LocalStack | undefined;
  const stack = await startLocalStack({
    creditsPerMinute,
    creditWindowSeconds: windowSeconds,
    creditsPerDay: null,
    datalake: sample.uriTemplate,
    visibilityTimeoutSeconds: Math.max(2, windowSeconds * 3),
    processorConcurrency: 4,
    log: terminalLog({ verbose: options.verbose }),
    notifier: options.notifier?.(() => stackRef as LocalStack),
  });
  stackRef = stack;
  try {
    const started = Date.now();
    const session = await options.start({
      symbols,
      datalake: sample.uriTemplate,
      lookbackDays: 10,
      asOf: asOf.toISOString(),
      startedBy: { kind: "cli", user: "demo" },
    });
    out.write(
      `session ${session.sessionId}: ${session.totalSymbols} symbols in ${session.totalBatches} batches, estimated ${Math.round(session.estimatedDurationMinutes * 60)} s\n`,
    );
    await options.wait(stack.runtime.operations, session.sessionId);
    await stack.eventBridge.idle();
    const elapsedMs = Date.now() - started;
    const { results } = await stack.runtime.operations.allResults(session.sessionId);
    const comparison = compareWithLabels(results, sample.labels);
    const counts = stack.emulator?.counts();
    out.write(`\n${describeComparison(comparison)}\n`);
    out.write(
      `Provider: ${counts?.requests ?? "?"} requests, ${counts?.credits ?? "?"} credits for ${symbols.length} symbols, ${counts?.rateLimited ?? "?"} rate-limited (429), ${counts?.repeatedSymbols.length ?? "?"} symbols requested twice; session took ${(elapsedMs / 1000).toFixed(1)} s\n`,
    );
    return {
      sessionId: session.sessionId,
      found: comparison.found.length,
      missed: comparison.missed.length,
      falseAlarms: comparison.falseAlarms.length,
      rateLimited: counts?.rateLimited ?? 0,
      repeatedSymbols: counts?.repeatedSymbols.length ?? 0,
      elapsedMs,
    };
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
