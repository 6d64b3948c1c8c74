import { createHash } from "node:crypto";
import type { StoredResult } from "../pipeline/model.ts";
import type { Mute, UniverseSnapshot } from "./ports.ts";

/** A symbol that failed (an error-severity issue) or could not be checked, as the summary and its thread show it. */
export type Failing = Pick<StoredResult, "symbol" | "status" | "issues" | "error">;

/** What changed since the previous session of the same universe. */
export interface Changes {
  previous: { sessionId: string; finishedAt: string };
  /** Failing now, not in the previous session's failures. */
  appeared: string[];
  /** Failing now and then, with the instant they first failed in a row. */
  persisting: { symbol: string; since: string }[];
  /** Failing then, checked now and passing. */
  recovered: string[];
}

/** What a finished session found, with mutes applied: what its summary and thread say. */
export interface Findings {
  /** Failing symbols not muted, in symbol order. */
  failing: Failing[];
  /** Failing symbols that are muted: counted apart, never in the headline, the list or the mention. */
  muted: Failing[];
  /** Symbols with a result. */
  checked: number;
  changes: Changes | undefined;
  /** Every failing symbol (muted ones too), for the next session of the universe to compare with. */
  snapshot: UniverseSnapshot;
}

/**
 * The most failing symbols a snapshot keeps. The table item holds two snapshots (the universe's last two sessions)
 * at about 40 bytes a symbol, within DynamoDB's 400 KB an item; beyond it, the symbols past the first 3,000 would
 * read as new the next day.
 */
export const SNAPSHOT_MAX_SYMBOLS = 3_000;

/**
 * The universe a session ran, so that its summary compares it with the previous session of the same universe:
 * the daily schedule always runs the configured universe, whatever symbols it holds that day; any other session
 * is its exact set of symbols.
 */
export function universeKeyOf(startedBy: { kind: string }, symbols: readonly string[]): string {
  if (startedBy.kind === "schedule") return "schedule";
  const hash = createHash("sha256")
    .update([...symbols].sort().join(","))
    .digest("hex");
  return `symbols-${hash.slice(0, 24)}`;
}

/** The failing symbols of a list of results (for the snapshot of a session read from the store). */
export function snapshotOf(
  sessionId: string,
  finishedAt: string,
  results: readonly Pick<StoredResult, "symbol" | "status">[],
): UniverseSnapshot {
  const failing: Record<string, string> = {};
  for (const r of results)
    if (r.status !== "pass" && Object.keys(failing).length < SNAPSHOT_MAX_SYMBOLS) failing[r.symbol] = finishedAt;
  return { sessionId, finishedAt, failing };
}

/**
 * The findings of a session from all its results, the mutes in force and the previous session's snapshot (none
 * for the first session of a universe). Pure: the notifier reads, this decides.
 */
export function findingsOf(
  session: { sessionId: string; finishedAt: string },
  results: readonly StoredResult[],
  mutes: readonly Mute[],
  previous: UniverseSnapshot | undefined,
): Findings {
  const muted = new Set(mutes.map((m) => m.symbol));
  const failingAll = results.filter((r) => r.status !== "pass").sort((a, b) => a.symbol.localeCompare(b.symbol));
  const failing = failingAll.filter((r) => !muted.has(r.symbol)).map(failingOf);
  const mutedFailing = failingAll.filter((r) => muted.has(r.symbol)).map(failingOf);

  const snapshotFailing: Record<string, string> = {};
  for (const r of failingAll.slice(0, SNAPSHOT_MAX_SYMBOLS))
    snapshotFailing[r.symbol] = previous?.failing[r.symbol] ?? session.finishedAt;
  const snapshot = { sessionId: session.sessionId, finishedAt: session.finishedAt, failing: snapshotFailing };

  let changes: Changes | undefined;
  if (previous) {
    const passing = new Set(results.filter((r) => r.status === "pass").map((r) => r.symbol));
    changes = {
      previous: { sessionId: previous.sessionId, finishedAt: previous.finishedAt },
      appeared: failing.filter((f) => previous.failing[f.symbol] === undefined).map((f) => f.symbol),
      persisting: failing
        .filter((f) => previous.failing[f.symbol] !== undefined)
        .map((f) => ({ symbol: f.symbol, since: previous.failing[f.symbol] as string })),
      recovered: Object.keys(previous.failing)
        .filter((s) => passing.has(s) && !muted.has(s))
        .sort(),
    };
  }
  return { failing, muted: mutedFailing, checked: results.length, changes, snapshot };
}

function failingOf(r: StoredResult): Failing {
  return { symbol: r.symbol, status: r.status, issues: r.issues, ...(r.error ? { error: r.error } : {}) };
}
