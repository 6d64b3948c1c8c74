import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface EngineFigures {
  symbols: number;
  barsPerSymbol: number;
  medianMs: number;
  barsPerSecond: number;
  symbolsPerSecond: number;
}

/** bench/engine.ts in its own process (a clean heap), read from the JSON line it prints last. */
export function measureEngine(symbols = 1000, bars = 250): EngineFigures {
  const script = fileURLToPath(new URL("./engine.ts", import.meta.url));
  const out = spawnSync(
    process.execPath,
    ["--disable-warning=ExperimentalWarning", script, "--symbols", String(symbols), "--bars", String(bars)],
    { encoding: "utf8" },
  );
  if (out.status !== 0) throw new Error(`bench/engine.ts failed: ${out.stderr}`);
  const last = out.stdout.trim().split("\n").pop() ?? "{}";
  const parsed = JSON.parse(last) as EngineFigures;
  return {
    symbols: parsed.symbols,
    barsPerSymbol: parsed.barsPerSymbol,
    medianMs: parsed.medianMs,
    barsPerSecond: parsed.barsPerSecond,
    symbolsPerSecond: parsed.symbolsPerSecond,
  };
}
