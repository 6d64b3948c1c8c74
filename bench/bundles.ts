import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { deflateRawSync } from "node:zlib";
import { FUNCTIONS, type FunctionName } from "../app/wiring.ts";
import { writeBundles } from "../infra/bundle.ts";
import { median, round } from "./stats.ts";

export interface BundleFigures {
  functionName: FunctionName;
  bytes: number;
  /** Deflated, about what the deployment archive holds for the module. */
  deflatedBytes: number;
  /** The source map beside it, and deflated. */
  sourceMapBytes: number;
  sourceMapDeflatedBytes: number;
  /** Median over the runs of `await import(bundle)` in a fresh node process, ms (no source maps). */
  loadMs: number;
  loadMsRuns: number[];
  /** The fastest of the runs: the least disturbed by other work on the machine. */
  loadMsMin: number;
  /** CPU time the import took (user + system, median): what a busy machine inflates least. */
  loadCpuMs: number;
  /** The same with `--enable-source-maps`, as deployed: Node reads and parses the map when it loads the module. */
  loadMsWithSourceMaps: number;
  /** Formatting the stack of the first error thrown inside the bundle, with source maps on (median), ms. */
  firstStackMsWithSourceMaps: number;
  /** The same without source maps, ms. */
  firstStackMs: number;
}

// Runs in a fresh node process: imports the bundle, then invokes its handler with an empty environment, which
// fails at once inside the bundle (no configuration), and times how long the first stack trace takes to format.
const PROBE = [
  "const t0 = performance.now(); const c0 = process.cpuUsage();",
  "const m = await import(process.argv[1]);",
  "const loadMs = performance.now() - t0; const c1 = process.cpuUsage(c0);",
  "const loadCpuMs = (c1.user + c1.system) / 1000;",
  "if (typeof m.handler !== 'function') throw new Error('no handler');",
  "let error;",
  "try { await m.handler({ Records: [] }, {}); } catch (e) { error = e; }",
  "if (!error) throw new Error('expected the handler to fail without configuration');",
  "const t1 = performance.now();",
  "const stack = String(error.stack);",
  "const stackMs = performance.now() - t1;",
  "console.log(JSON.stringify({ loadMs, loadCpuMs, stackMs, mapped: /\\.ts:\\d+/.test(stack) }));",
].join("\n");

interface Probe {
  loadMs: number;
  loadCpuMs: number;
  stackMs: number;
  mapped: boolean;
}

function probe(file: string, sourceMaps: boolean): Probe {
  const args = [...(sourceMaps ? ["--enable-source-maps"] : []), "--input-type=module", "-e", PROBE];
  const out = spawnSync(process.execPath, [...args, pathToFileURL(file).href], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1", POWERTOOLS_DEV: "false" },
  });
  if (out.status !== 0) throw new Error(`probing ${file} failed: ${out.stderr}`);
  const line = out.stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as Probe;
}

/**
 * Each Lambda bundle as infra builds it (esbuild, minified ESM for node22, written with its source map), its
 * size, and its module-load time: the bundle imported in a fresh `node` process, timed inside that process,
 * several runs, the median taken; with and without `--enable-source-maps`, and the cost of the first stack trace.
 */
export function measureBundles(runs = 7): BundleFigures[] {
  const dir = mkdtempSync(join(tmpdir(), "dq-bench-bundles-"));
  try {
    const entries = Object.fromEntries(Object.entries(FUNCTIONS).map(([name, f]) => [name, f.entry]));
    const bundles = writeBundles(entries, { outdir: dir });
    return (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => {
      const bundle = bundles.get(name);
      if (!bundle) throw new Error(`no bundle for ${name}`);
      const plain: Probe[] = [];
      const mapped: Probe[] = [];
      for (let i = 0; i < runs; i++) {
        plain.push(probe(bundle.file, false));
        mapped.push(probe(bundle.file, true));
      }
      if (!mapped.every((p) => p.mapped)) throw new Error(`${name}: the stack trace was not mapped to the sources`);
      const code = readFileSync(bundle.file);
      const map = readFileSync(`${bundle.file}.map`);
      const loadMsRuns = plain.map((p) => round(p.loadMs, 2));
      return {
        functionName: name,
        bytes: code.byteLength,
        deflatedBytes: deflateRawSync(code, { level: 9 }).byteLength,
        sourceMapBytes: map.byteLength,
        sourceMapDeflatedBytes: deflateRawSync(map, { level: 9 }).byteLength,
        loadMs: round(median(loadMsRuns), 2),
        loadMsRuns,
        loadMsMin: Math.min(...loadMsRuns),
        loadCpuMs: round(median(plain.map((p) => p.loadCpuMs)), 2),
        loadMsWithSourceMaps: round(median(mapped.map((p) => p.loadMs)), 2),
        firstStackMsWithSourceMaps: round(median(mapped.map((p) => p.stackMs)), 2),
        firstStackMs: round(median(plain.map((p) => p.stackMs)), 2),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  console.log(
    "| function | bundle (deflated) | source map (deflated) | import: wall, median (fastest) | import: CPU | import with source maps | first stack | first stack with source maps |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  for (const b of measureBundles(Number(process.argv[2] ?? 7))) {
    console.log(
      `| ${b.functionName} | ${kib(b.bytes)} (${kib(b.deflatedBytes)}) | ${kib(b.sourceMapBytes)} (${kib(b.sourceMapDeflatedBytes)}) | ${b.loadMs} ms (${b.loadMsMin} ms) | ${b.loadCpuMs} ms | ${b.loadMsWithSourceMaps} ms | ${b.firstStackMs} ms | ${b.firstStackMsWithSourceMaps} ms |`,
    );
  }
}
