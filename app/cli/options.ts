import { InvalidArgumentError } from "commander";
import { parseSymbol } from "../domain/symbol.ts";

export function parseSymbolList(value: string): string[] {
  const symbols = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (symbols.length === 0) throw new InvalidArgumentError("expected a comma-separated list of symbols");
  try {
    return symbols.map(parseSymbol);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function parseLookback(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 366) throw new InvalidArgumentError("expected whole days between 1 and 366");
  return n;
}

export function parseInstant(value: string): Date {
  const looksIso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const date = new Date(value);
  if (!looksIso || Number.isNaN(date.getTime()))
    throw new InvalidArgumentError(`expected an ISO date or instant, e.g. 2026-11-27T22:00:00Z`);
  return date;
}

export function parseFormat(value: string): "table" | "json" {
  if (value !== "table" && value !== "json") throw new InvalidArgumentError("expected table or json");
  return value;
}
