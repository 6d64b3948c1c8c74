import { CHECK_SEVERITY, type CheckCode, type Issue } from "./types.ts";

/** An issue of `code` with the code's severity. */
export function issue(code: CheckCode, message: string, fields: Omit<Issue, "code" | "severity" | "message">): Issue {
  return { code, severity: CHECK_SEVERITY[code], message, ...fields };
}

/**
 * Keeps at most `max` issues of one code: beyond that, the first `max - 1` and one summary of the same code
 * with the range and count of the rest, so a bad symbol cannot flood a Slack message or a result item.
 */
export function capIssues(issues: Issue[], max: number): Issue[] {
  if (issues.length <= max) return issues;
  const kept = issues.slice(0, max - 1);
  const rest = issues.slice(max - 1);
  let from: string | undefined;
  let to: string | undefined;
  for (const item of rest) {
    const first = item.from ?? item.date;
    const last = item.to ?? item.date;
    if (first !== undefined && (from === undefined || first < from)) from = first;
    if (last !== undefined && (to === undefined || last > to)) to = last;
  }
  const code = (issues[0] as Issue).code;
  const range = from === undefined ? "" : from === to ? ` on ${from}` : ` from ${from} to ${to}`;
  kept.push(issue(code, `... and ${rest.length} more${range}`, { from, to, count: rest.length }));
  return kept;
}

/** A number for a message: up to 6 significant digits, no exponent for ordinary prices. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** A percentage for a message, e.g. `2.35%`. */
export function formatPct(value: number): string {
  return `${formatNumber(round(value, 2))}%`;
}

/** A signed percentage for a move, e.g. `+31.2%`. */
export function formatMove(value: number): string {
  return `${value >= 0 ? "+" : ""}${formatPct(value)}`;
}

export function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** `n session(s)`. */
export function sessions(count: number): string {
  return `${count} session${count === 1 ? "" : "s"}`;
}
