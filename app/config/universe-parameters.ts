import { ConfigError } from "./config.ts";

/**
 * A stack's explicit universe (the symbols to check and those never to check), stored as SSM parameters rather
 * than in the functions' environment, which Lambda caps at 4 KB in all: a list of a few hundred tickers would make
 * the deploy fail. infra writes the parts; the coordinator reads them at cold start.
 */
export interface Universe {
  symbols: string[];
  deny: string[];
}

/** An SSM parameter's value in the Standard tier (free, 10,000 per account and region) holds at most 4 KB. */
export const UNIVERSE_PART_BYTES = 4096;

interface Part {
  part: number;
  parts: number;
  symbols: string[];
  deny: string[];
}

/** The room one part's frame takes, with part numbers of up to 5 digits. */
const FRAME_BYTES = Buffer.byteLength(JSON.stringify({ part: 99999, parts: 99999, symbols: [], deny: [] }));

/**
 * Splits a universe into parameter values of at most `maxBytes` each, in order: JSON parts that carry their number
 * and the number of parts, so a reader can tell a whole universe from a partial one. Always at least one part.
 */
export function encodeUniverse(universe: Universe, maxBytes = UNIVERSE_PART_BYTES): string[] {
  const parts: { symbols: string[]; deny: string[] }[] = [{ symbols: [], deny: [] }];
  let used = FRAME_BYTES;
  for (const list of ["symbols", "deny"] as const) {
    for (const symbol of universe[list]) {
      const cost = Buffer.byteLength(JSON.stringify(symbol)) + 1;
      if (FRAME_BYTES + cost > maxBytes) throw new ConfigError(`symbol ${JSON.stringify(symbol)} is too long`);
      if (used + cost > maxBytes) {
        parts.push({ symbols: [], deny: [] });
        used = FRAME_BYTES;
      }
      (parts.at(-1) as { symbols: string[]; deny: string[] })[list].push(symbol);
      used += cost;
    }
  }
  return parts.map((p, part) => JSON.stringify({ part, parts: parts.length, symbols: p.symbols, deny: p.deny }));
}

/** Joins the parts (in any order) back into the universe. Throws ConfigError unless they are all there, once. */
export function decodeUniverse(values: readonly string[]): Universe {
  if (values.length === 0) throw new ConfigError("the universe parameters are missing");
  const parts = values.map(parsePart).sort((a, b) => a.part - b.part);
  const expected = parts[0]?.parts ?? 0;
  const complete = parts.length === expected && parts.every((p, i) => p.part === i && p.parts === expected);
  if (!complete) {
    throw new ConfigError(
      `the universe parameters are incomplete: found parts ${parts.map((p) => `${p.part + 1}/${p.parts}`).join(", ")}`,
    );
  }
  return { symbols: parts.flatMap((p) => p.symbols), deny: parts.flatMap((p) => p.deny) };
}

function parsePart(value: string): Part {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError("a universe parameter is not JSON");
  }
  const p = parsed as Partial<Part>;
  const isList = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");
  if (!Number.isInteger(p.part) || !Number.isInteger(p.parts) || !isList(p.symbols) || !isList(p.deny)) {
    throw new ConfigError("a universe parameter is not a universe part");
  }
  return p as Part;
}
