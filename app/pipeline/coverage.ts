import { createHash } from "node:crypto";
import { daysBetween } from "../calendar/iso-date.ts";
import { tradingDays } from "../calendar/nyse-calendar.ts";
import type { ResultStatus } from "../quality/types.ts";

/**
 * Coverage mode, the pure part: a universe larger than a day's credits is checked in rotation, one slice a daily
 * session. Which symbols go into a slice, how long the rotation is, whether the lookback covers it, and the figures
 * `dq status`, Slack and the alarm show. No I/O: the CoverageStore keeps the states this reads.
 */

/** What one symbol's checks left behind, per universe (item `COVERAGE#<universe>` / `SYMBOL#<symbol>`). */
export interface SymbolCoverage {
  symbol: string;
  /** ISO instant of the last check that produced a result. */
  checkedAt: string;
  /** The universe's round (its count of daily sessions) in which that check ran. */
  round: number;
  outcome: ResultStatus;
  /** The round of the last check that could validate (pass or fail); an `error` keeps the one before. */
  verifiedRound?: number;
  /** The last reference session that check covered (its `lastReferenceDate`); an `error` keeps the one before. */
  verifiedThrough?: string;
  /** The session that made the last check. */
  sessionId: string;
}

/** The universe's own item (`COVERAGE#<universe>` / `META`): its rounds, and the figures of the last one. */
export interface CoverageRound {
  universe: string;
  /** Daily sessions the universe has had (1 for the first). */
  round: number;
  /** The session that opened the round. */
  sessionId: string;
  /** ISO instant the round opened. */
  openedAt: string;
  /** The round in which the universe's first session ran: no symbol is overdue before a rotation has passed. */
  firstRound: number;
  /**
   * The credits the opening session's slice was given: a start delivered twice (a retried Lambda invocation) takes
   * the same slice, so both write the same batches, whatever the first one has reserved since.
   */
  budget?: number;
  figures?: CoverageFigures;
}

export interface CoverageFigures {
  symbols: number;
  /** Daily sessions a symbol waits between checks at the plan's rate: ceil(symbols / credits a day). */
  rotation: number;
  /** The session count within which every checked symbol was last verified (null while none is). */
  verifiedWithin: number | null;
  neverChecked: number;
  /** Symbols the next daily session must take to keep the rotation: failing, errored, never checked or due by age. */
  due: number;
  failing: number;
  errored: number;
  /**
   * Symbols whose last verification is older than the rotation allows (plus the next day's retry of a check that
   * could not run), or never checked after a whole rotation: what the alarm counts.
   */
  overdue: number;
  /** The round the figures are for, and when they were taken (ISO). */
  round: number;
  at: string;
  /** Set when lookbackDays is too short for every bar to be verified within the rotation. */
  lookbackWarning?: string;
}

/** The universe's key: a short hash of the datalake it reads, since a symbol's state is about that datalake's series. */
export function universeKey(datalakeUri: string): string {
  return createHash("sha256").update(`dq-coverage:${datalakeUri}`).digest("hex").slice(0, 16);
}

/** Symbols one UTC day can check: one credit each, within the day cap and within the windows a day holds. */
export function dailyCapacity(plan: {
  creditsPerDay?: number | null;
  creditsPerWindow: number;
  windowMs: number;
  marginMs: number;
}): number {
  const byRate = Math.floor(86_400_000 / (plan.windowMs + plan.marginMs)) * plan.creditsPerWindow;
  return plan.creditsPerDay ? Math.min(plan.creditsPerDay, byRate) : byRate;
}

/**
 * Daily sessions between two checks of a symbol when each session takes `perDay` of `symbols`. `retried`: symbols
 * that failed or could not be checked, which every session checks again first (up to half of it, as selectSlice
 * does) and so take their share out of every day.
 */
export function rotationLength(symbols: number, perDay: number, retried = 0): number {
  if (perDay <= 0) return Number.POSITIVE_INFINITY;
  const daily = Math.min(retried, Math.floor(perDay / 2));
  return Math.max(1, Math.ceil((symbols - daily) / (perDay - daily)));
}

/** The years whose NYSE calendar the lookback rule is measured on: fixed, so the rule never depends on today. */
const CALENDAR_FROM = "2024-01-01";
const CALENDAR_TO = "2030-12-31";
let sessionDates: string[] | undefined;

/**
 * The lookback (calendar days, as `lookbackDays` counts them) that covers every bar between two checks `rotation`
 * daily sessions apart: a check's window is [last complete session − (lookback − 1), last complete session], so it
 * reaches back to the day after the previous check's last session when lookback ≥ the calendar days between the two.
 * The longest such gap on the NYSE calendar (weekends, and holidays next to them) over 2024–2030. Each daily session
 * adds at most one exchange session, so sessions apart bound runs apart.
 */
export function requiredLookbackDays(rotation: number): number {
  if (!Number.isFinite(rotation)) return Number.POSITIVE_INFINITY;
  sessionDates ??= tradingDays(CALENDAR_FROM, CALENDAR_TO);
  let longest = 1;
  for (let i = 0; i + rotation < sessionDates.length; i++)
    longest = Math.max(longest, daysBetween(sessionDates[i] as string, sessionDates[i + rotation] as string));
  return longest;
}

/** The warning when the lookback cannot cover the rotation, naming the lookback it should be. */
export function lookbackWarning(lookbackDays: number, rotation: number): string | undefined {
  const needed = requiredLookbackDays(rotation);
  if (lookbackDays >= needed) return undefined;
  return (
    `lookbackDays ${lookbackDays} is shorter than the rotation of ${rotation} daily sessions: bars between two ` +
    `checks of a symbol go unverified; set lookbackDays to at least ${needed}`
  );
}

export interface Slice {
  symbols: string[];
  /** How many came from each tier, in priority order. */
  retried: number;
  neverChecked: number;
  oldest: number;
}

/**
 * Today's slice of at most `budget` symbols: first the symbols whose last check failed or could not validate (at
 * most half the budget, so a datalake outage that errors thousands of symbols cannot stop the rotation), oldest
 * check first; then the symbols never checked, in universe order; then those whose last verified bar is oldest
 * (ties: the oldest round, then the symbol).
 */
export function selectSlice(
  universe: readonly string[],
  states: ReadonlyMap<string, SymbolCoverage>,
  budget: number,
): Slice {
  const limit = Math.max(0, Math.floor(budget));
  const retry: SymbolCoverage[] = [];
  const never: string[] = [];
  const rest: SymbolCoverage[] = [];
  for (const symbol of universe) {
    const state = states.get(symbol);
    if (!state) never.push(symbol);
    else if (state.outcome !== "pass") retry.push(state);
    else rest.push(state);
  }
  retry.sort((a, b) => a.round - b.round || compare(a.symbol, b.symbol));
  rest.sort(
    (a, b) =>
      compare(a.verifiedThrough ?? "", b.verifiedThrough ?? "") ||
      (a.verifiedRound ?? a.round) - (b.verifiedRound ?? b.round) ||
      compare(a.symbol, b.symbol),
  );
  const retried = retry.slice(
    0,
    Math.min(retry.length, Math.max(Math.ceil(limit / 2), limit - never.length - rest.length)),
  );
  const fresh = never.slice(0, limit - retried.length);
  // Retries the half-budget cap left out still come before the oldest passes.
  const after = [...retry.slice(retried.length), ...rest];
  const oldest = after.slice(0, limit - retried.length - fresh.length);
  return {
    symbols: [...retried.map((s) => s.symbol), ...fresh, ...oldest.map((s) => s.symbol)],
    retried: retried.length,
    neverChecked: fresh.length,
    oldest: oldest.length,
  };
}

/**
 * The universe's figures at the start of `round` (before its session checks anything): how recently every symbol
 * was verified, what is due, what fails, and what is overdue (its last verification more than `rotation` + 1 rounds
 * back, or never checked once the universe has been in rotation that long).
 */
export function coverageFigures(input: {
  /** Symbols in the universe. */
  size: number;
  /** The states of the universe's symbols that have one (the others were never checked). */
  states: Iterable<SymbolCoverage>;
  round: number;
  firstRound: number;
  rotation: number;
  lookbackDays: number;
  at: string;
}): CoverageFigures {
  const { size, round, firstRound, rotation } = input;
  // Never-checked symbols are overdue once the universe has been in rotation for a whole rotation.
  const inRotation = round - firstRound >= rotation;
  let checked = 0;
  let failing = 0;
  let errored = 0;
  let due = 0;
  let overdue = 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const state of input.states) {
    checked++;
    const verified = state.verifiedRound;
    if (verified !== undefined) oldest = Math.min(oldest, verified);
    if (state.outcome === "fail") failing++;
    if (state.outcome === "error") errored++;
    // Sessions since the last verification, counting the one about to run: due when it is the last the rotation allows.
    const age = verified === undefined ? Number.POSITIVE_INFINITY : round - verified;
    if (state.outcome !== "pass" || age >= rotation) due++;
    // One session of grace: a check that could not run when the symbol was due is retried the next day.
    if (age > rotation + 1 && (verified !== undefined || inRotation)) overdue++;
  }
  const neverChecked = Math.max(0, size - checked);
  const warning = lookbackWarning(input.lookbackDays, rotation);
  return {
    symbols: size,
    rotation,
    verifiedWithin: Number.isFinite(oldest) ? round - oldest : null,
    neverChecked,
    due: due + neverChecked,
    failing,
    errored,
    overdue: overdue + (inRotation ? neverChecked : 0),
    round,
    at: input.at,
    ...(warning ? { lookbackWarning: warning } : {}),
  };
}

/** The state a result leaves: an `error` keeps what the last validating check verified. */
export function nextState(
  previous: SymbolCoverage | undefined,
  result: { symbol: string; status: ResultStatus; validatedAt: string; lastReferenceDate?: string | null },
  round: number,
  sessionId: string,
): SymbolCoverage {
  const validated = result.status !== "error";
  const verifiedRound = validated ? round : previous?.verifiedRound;
  const verifiedThrough = validated
    ? (result.lastReferenceDate ?? previous?.verifiedThrough)
    : previous?.verifiedThrough;
  return {
    symbol: result.symbol,
    checkedAt: result.validatedAt,
    round,
    outcome: result.status,
    sessionId,
    ...(verifiedRound === undefined ? {} : { verifiedRound }),
    ...(verifiedThrough ? { verifiedThrough } : {}),
  };
}

/** "5,000 symbols: every bar verified within the last 7 sessions; 312 due today; 14 failing". */
export function describeCoverage(figures: CoverageFigures): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const parts = [`${n(figures.symbols)} symbols: `];
  const within = figures.verifiedWithin === null ? null : Math.max(1, figures.verifiedWithin);
  if (figures.neverChecked === figures.symbols) parts.push("none verified yet");
  else if (figures.neverChecked > 0)
    parts.push(
      `${n(figures.symbols - figures.neverChecked)} verified within the last ${within} sessions, ${n(figures.neverChecked)} never checked`,
    );
  else parts.push(`every bar verified within the last ${within} ${within === 1 ? "session" : "sessions"}`);
  parts.push(`; ${n(figures.due)} due today; ${n(figures.failing)} failing`);
  if (figures.errored > 0) parts.push(`; ${n(figures.errored)} could not be checked`);
  if (figures.overdue > 0) parts.push(`; ${n(figures.overdue)} overdue (rotation ${figures.rotation} sessions)`);
  return parts.join("");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
