/**
 * Times the quality-check engine over a synthetic universe: deterministic subject/reference series with a few
 * injected defects, a warm-up, then several timed rounds; prints the median round and a JSON line.
 *
 *   npx node bench/engine.ts [--symbols 1000] [--bars 250] [--rounds 9]
 */
import { parseArgs } from "node:util";
import type { Bar } from "../app/domain/bar.ts";
import { checkSymbol } from "../app/quality/check-symbol.ts";
import type { CheckInput, SymbolResult } from "../app/quality/types.ts";

const { values } = parseArgs({
  options: {
    symbols: { type: "string", default: "1000" },
    bars: { type: "string", default: "250" },
    rounds: { type: "string", default: "9" },
  },
});
const SYMBOLS = Number(values.symbols);
const BARS = Number(values.bars);
const ROUNDS = Number(values.rounds);
const WARMUP_ROUNDS = 3;
const LAST_SESSION = "2026-01-16";
const AS_OF = new Date("2026-01-17T04:30:00Z");

/** mulberry32: a tiny seeded PRNG, so every run checks the same universe. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` weekday dates ending at `last`, ascending. */
function sessionsEndingAt(last: string, count: number): string[] {
  const dates: string[] = [];
  for (let ms = Date.parse(`${last}T00:00:00Z`); dates.length < count; ms -= 86_400_000) {
    const day = new Date(ms).getUTCDay();
    if (day !== 0 && day !== 6) dates.push(new Date(ms).toISOString().slice(0, 10));
  }
  return dates.reverse();
}

function referenceBars(dates: readonly string[], next: () => number): Bar[] {
  let close = 20 + next() * 480;
  return dates.map((date) => {
    const open = close * (1 + (next() - 0.5) * 0.01);
    close = close * (1 + (next() - 0.5) * 0.04);
    const high = Math.max(open, close) * (1 + next() * 0.01);
    const low = Math.min(open, close) * (1 - next() * 0.01);
    return { date, open, high, low, close, volume: Math.round(1e5 + next() * 1e7) };
  });
}

/** The reference with vendor noise and, for some symbols, one kind of defect. */
function subjectBars(reference: readonly Bar[], symbol: number, next: () => number): Bar[] {
  const noise = () => 1 + (next() - 0.5) * 0.0004;
  let bars: Bar[] = reference.map((b) => {
    const f = noise();
    return { ...b, open: b.open * f, high: b.high * f, low: b.low * f, close: b.close * f };
  });
  const at = (i: number) => bars[i] as Bar;
  if (symbol % 50 === 7) bars.splice(100, 3);
  if (symbol % 71 === 3)
    bars = bars.map((b, i) =>
      i < 200 ? { ...b, open: b.open * 2, high: b.high * 2, low: b.low * 2, close: b.close * 2 } : b,
    );
  if (symbol % 97 === 5) bars[150] = { ...at(150), close: at(150).close * 1.4, high: at(150).high * 1.4 };
  if (symbol % 113 === 11) bars.splice(60, 0, { ...at(60) });
  if (symbol % 131 === 13) bars.length -= 2;
  if (symbol % 149 === 17) bars.reverse();
  return bars;
}

function buildUniverse(): CheckInput[] {
  const dates = sessionsEndingAt(LAST_SESSION, BARS);
  const lookbackDays = Math.ceil((Date.parse(LAST_SESSION) - Date.parse(dates[0] as string)) / 86_400_000) + 1;
  const options = { lookbackDays };
  const inputs: CheckInput[] = [];
  for (let s = 0; s < SYMBOLS; s++) {
    const next = random(s + 1);
    const reference = referenceBars(dates, next);
    inputs.push({
      symbol: `SYM${s}`,
      subject: subjectBars(reference, s, next),
      reference: { bars: reference, exchangeTimezone: "America/New_York" },
      asOf: AS_OF,
      options,
    });
  }
  return inputs;
}

function round(inputs: readonly CheckInput[]): { ms: number; results: SymbolResult[] } {
  const started = performance.now();
  const results = inputs.map(checkSymbol);
  return { ms: performance.now() - started, results };
}

const inputs = buildUniverse();
for (let i = 0; i < WARMUP_ROUNDS; i++) round(inputs);
const timings: number[] = [];
let results: SymbolResult[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const timed = round(inputs);
  timings.push(timed.ms);
  results = timed.results;
}
timings.sort((a, b) => a - b);
const medianMs = timings[timings.length >> 1] as number;
const barsPerSecond = (SYMBOLS * BARS) / (medianMs / 1000);
const symbolsPerSecond = SYMBOLS / (medianMs / 1000);

const statuses: Record<string, number> = {};
const issues: Record<string, number> = {};
for (const result of results) {
  statuses[result.status] = (statuses[result.status] ?? 0) + 1;
  for (const item of result.issues) issues[item.code] = (issues[item.code] ?? 0) + 1;
}

console.log(
  `engine: ${SYMBOLS} symbols x ${BARS} bars in ${Math.round(medianMs)} ms -> ` +
    `${(barsPerSecond / 1e6).toFixed(2)} M bars/s (${Math.round(symbolsPerSecond)} symbols/s)`,
);
console.log(
  JSON.stringify({
    symbols: SYMBOLS,
    barsPerSymbol: BARS,
    rounds: ROUNDS,
    warmupRounds: WARMUP_ROUNDS,
    medianMs: Number(medianMs.toFixed(2)),
    minMs: Number((timings[0] as number).toFixed(2)),
    maxMs: Number((timings[timings.length - 1] as number).toFixed(2)),
    barsPerSecond: Math.round(barsPerSecond),
    symbolsPerSecond: Math.round(symbolsPerSecond),
    statuses,
    issues,
    node: process.version,
  }),
);
