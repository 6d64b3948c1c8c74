import type { Bar } from "../domain/bar.ts";
import { issue } from "./issues.ts";
import { CheckCode, type Issue, type PriceField } from "./types.ts";

const PRICES = ["open", "high", "low", "close"] as const;

/**
 * Bars with a price the source left blank or NaN (the readers turn such cells into NaN rather than refusing the
 * file): one issue per bar, naming the fields. The rest of the series is checked as usual.
 */
export function missingValueIssues(bars: readonly Bar[]): Issue[] {
  const issues: Issue[] = [];
  for (const bar of bars) {
    // The hot path: a NaN anywhere makes the sum NaN.
    if (!Number.isNaN(bar.open + bar.high + bar.low + bar.close)) continue;
    const fields = PRICES.filter((field) => Number.isNaN(bar[field]));
    issues.push(
      issue(CheckCode.missingValue, `${fields.join(", ")} missing on ${bar.date} (a blank or NaN cell)`, {
        date: bar.date,
        field: fields[0] as PriceField,
      }),
    );
  }
  return issues;
}
