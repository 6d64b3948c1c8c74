import type { SymbolResult } from "../app/quality/types.ts";

export interface LabelComparison {
  /** Injected defects (symbol, code) the run reported. */
  found: { symbol: string; code: string }[];
  /** Injected defects the run did not report. */
  missed: { symbol: string; code: string }[];
  /** Error-severity issues on symbols with no such label: false alarms. */
  falseAlarms: { symbol: string; code: string }[];
}

/**
 * Compares a run's results with the sample datalake's labels: every labelled defect must be reported on its
 * symbol, and no error-severity issue may appear where none was injected. Checks that are off in the run (the
 * default volume_mismatch) are left out of `missed`.
 */
export function compareWithLabels(
  results: readonly Pick<SymbolResult, "symbol" | "issues">[],
  labels: Record<string, string[]>,
  disabled: ReadonlySet<string> = new Set(["volume_mismatch"]),
): LabelComparison {
  const found: LabelComparison["found"] = [];
  const missed: LabelComparison["missed"] = [];
  const falseAlarms: LabelComparison["falseAlarms"] = [];
  for (const result of results) {
    const expected = new Set((labels[result.symbol] ?? []).filter((c) => !disabled.has(c)));
    const reported = new Set<string>(result.issues.map((i) => i.code));
    for (const code of expected) (reported.has(code) ? found : missed).push({ symbol: result.symbol, code });
    for (const issue of result.issues) {
      if (issue.severity === "error" && !expected.has(issue.code))
        falseAlarms.push({ symbol: result.symbol, code: issue.code });
    }
  }
  return { found, missed, falseAlarms };
}

export function describeComparison(c: LabelComparison): string {
  const lines = [
    `Injected defects found: ${c.found.length}/${c.found.length + c.missed.length}; false alarms: ${c.falseAlarms.length}`,
  ];
  for (const m of c.missed) lines.push(`  MISSED ${m.symbol}: ${m.code}`);
  for (const f of c.falseAlarms) lines.push(`  FALSE ALARM ${f.symbol}: ${f.code}`);
  return lines.join("\n");
}
