import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { deflateRawSync } from "node:zlib";
import { FUNCTIONS, type FunctionName } from "../app/wiring.ts";
import { BUNDLE_FILE, bundleHandlers } from "../infra/bundle.ts";
import { median, round } from "./stats.ts";

export interface BundleFigures {
  functionName: FunctionName;
  bytes: number;
  /** Deflated, about what the deployment archive holds. */
  deflatedBytes: number;
  /** Median over the runs of `await import(bundle)` in a fresh node process, ms. */
  loadMs: number;
  loadMsRuns: number[];
}

/**
 * Each Lambda bundle as infra builds it (esbuild, minified ESM for node22), its size, and its module-load time:
 * the bundle imported in a fresh `node` process, timed inside that process, several runs, the median taken.
 */
export function measureBundles(runs = 7): BundleFigures[] {
  const entries = Object.entries(FUNCTIONS) as [FunctionName, (typeof FUNCTIONS)[FunctionName]][];
  const bundles = bundleHandlers(entries.map(([, f]) => f.entry));
  const dir = mkdtempSync(join(tmpdir(), "dq-bench-bundles-"));
  try {
    return entries.map(([name, f]) => {
      const bundle = bundles.get(f.entry);
      if (!bundle) throw new Error(`no bundle for ${f.entry}`);
      const file = join(dir, name, BUNDLE_FILE);
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(file, bundle.code);
      const script =
        "const t = performance.now(); const m = await import(process.argv[1]);" +
        "if (typeof m.handler !== 'function') throw new Error('no handler');" +
        "console.log(performance.now() - t);";
      const loadMsRuns: number[] = [];
      for (let i = 0; i < runs; i++) {
        const out = spawnSync(process.execPath, ["--input-type=module", "-e", script, pathToFileURL(file).href], {
          encoding: "utf8",
          env: { PATH: process.env.PATH ?? "", AWS_REGION: "us-east-1" },
        });
        if (out.status !== 0) throw new Error(`loading the ${name} bundle failed: ${out.stderr}`);
        loadMsRuns.push(round(Number(out.stdout.trim()), 2));
      }
      const code = Buffer.from(bundle.code);
      return {
        functionName: name,
        bytes: code.byteLength,
        deflatedBytes: deflateRawSync(code, { level: 9 }).byteLength,
        loadMs: round(median(loadMsRuns), 2),
        loadMsRuns,
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
