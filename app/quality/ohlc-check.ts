import type { Bar } from "../domain/bar.ts";
import { formatNumber, issue } from "./issues.ts";
import { CheckCode, type Issue, type PriceField } from "./types.ts";

const PRICES = ["open", "high", "low", "close"] as const;

/** Bars that cannot be true: a price that is not positive, a high below the body, a low above it, negative volume. */
export function ohlcInvalidIssues(subject: readonly Bar[]): Issue[] {
  const issues: Issue[] = [];
  let reported: string | undefined;
  for (const bar of subject) {
    if (isValid(bar) || bar.date === reported) continue;
    reported = bar.date;
    const { rules, field } = violations(bar);
    issues.push(
      issue(CheckCode.ohlcInvalid, `invalid bar on ${bar.date}: ${rules.join("; ")}`, { date: bar.date, field }),
    );
  }
  return issues;
}

// The fast path: one expression per bar; NaN fails every comparison, so it lands in the slow path.
function isValid({ open, high, low, close, volume }: Bar): boolean {
  return (
    open > 0 &&
    close > 0 &&
    low > 0 &&
    high < Number.POSITIVE_INFINITY &&
    high >= open &&
    high >= close &&
    low <= open &&
    low <= close &&
    (volume === null || (volume >= 0 && volume < Number.POSITIVE_INFINITY))
  );
}

function violations(bar: Bar): { rules: string[]; field: PriceField } {
  const rules: string[] = [];
  let field: PriceField | undefined;
  const flag = (rule: string, at: PriceField) => {
    rules.push(rule);
    field ??= at;
  };
  for (const name of PRICES) {
    const value = bar[name];
    if (!(value > 0 && Number.isFinite(value)))
      flag(`${name} ${formatNumber(value)} is not a positive finite price`, name);
  }
  if (rules.length === 0) {
    const { open, high, low, close } = bar;
    if (high < low) flag(`high ${formatNumber(high)} < low ${formatNumber(low)}`, "high");
    if (high < Math.max(open, close))
      flag(
        `high ${formatNumber(high)} < ${open > close ? "open" : "close"} ${formatNumber(Math.max(open, close))}`,
        "high",
      );
    if (low > Math.min(open, close))
      flag(
        `low ${formatNumber(low)} > ${open < close ? "open" : "close"} ${formatNumber(Math.min(open, close))}`,
        "low",
      );
  }
  const volume = bar.volume;
  if (volume !== null && !(volume >= 0 && Number.isFinite(volume)))
    flag(`volume ${formatNumber(volume)} is ${volume < 0 ? "negative" : "not a finite number"}`, "volume");
  return { rules, field: field ?? "close" };
}
