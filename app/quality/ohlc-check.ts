import type { Bar } from "../domain/bar.ts";
import { formatNumber, issue } from "./issues.ts";
import { CheckCode, type Issue, type PriceField } from "./types.ts";

const PRICES = ["open", "high", "low", "close"] as const;

/**
 * Bars that cannot be true: a price that is not positive, a high below the body, a low above it, negative volume.
 * The ordering rules allow a relative slack of `epsilonPct` (float artefacts of adjusted data: a high of
 * 101.99999999 against a close of 102). Missing (NaN) prices are `missing_value`'s to report, not this check's.
 */
export function ohlcInvalidIssues(subject: readonly Bar[], epsilonPct = 0): Issue[] {
  const issues: Issue[] = [];
  const slack = epsilonPct / 100;
  let reported: string | undefined;
  for (const bar of subject) {
    if (isValid(bar, slack) || bar.date === reported) continue;
    const { rules, field } = violations(bar, slack);
    if (rules.length === 0) continue;
    reported = bar.date;
    issues.push(
      issue(CheckCode.ohlcInvalid, `invalid bar on ${bar.date}: ${rules.join("; ")}`, { date: bar.date, field }),
    );
  }
  return issues;
}

// The fast path: one expression per bar; NaN fails every comparison, so it lands in the slow path.
function isValid({ open, high, low, close, volume }: Bar, slack: number): boolean {
  const top = high * (1 + slack);
  const bottom = low * (1 - slack);
  return (
    open > 0 &&
    close > 0 &&
    low > 0 &&
    high < Number.POSITIVE_INFINITY &&
    top >= open &&
    top >= close &&
    bottom <= open &&
    bottom <= close &&
    (volume === null || (volume >= 0 && volume < Number.POSITIVE_INFINITY))
  );
}

function violations(bar: Bar, slack: number): { rules: string[]; field: PriceField } {
  const rules: string[] = [];
  let field: PriceField | undefined;
  const flag = (rule: string, at: PriceField) => {
    rules.push(rule);
    field ??= at;
  };
  for (const name of PRICES) {
    const value = bar[name];
    if (Number.isNaN(value)) continue;
    if (!(value > 0 && Number.isFinite(value)))
      flag(`${name} ${formatNumber(value)} is not a positive finite price`, name);
  }
  if (rules.length === 0) {
    const { open, high, low, close } = bar;
    // NaN prices drop out of max/min: the known ones are still held to the rules.
    const body = [open, close].filter((v) => !Number.isNaN(v));
    const top = high * (1 + slack);
    const bottom = low * (1 - slack);
    if (top < low) flag(`high ${formatNumber(high)} < low ${formatNumber(low)}`, "high");
    if (body.length > 0 && top < Math.max(...body)) {
      const which = body.length === 2 ? (open > close ? "open" : "close") : Number.isNaN(open) ? "close" : "open";
      flag(`high ${formatNumber(high)} < ${which} ${formatNumber(Math.max(...body))}`, "high");
    }
    if (body.length > 0 && bottom > Math.min(...body)) {
      const which = body.length === 2 ? (open < close ? "open" : "close") : Number.isNaN(open) ? "close" : "open";
      flag(`low ${formatNumber(low)} > ${which} ${formatNumber(Math.min(...body))}`, "low");
    }
  }
  const volume = bar.volume;
  if (volume !== null && !(volume >= 0 && Number.isFinite(volume)))
    flag(`volume ${formatNumber(volume)} is ${volume < 0 ? "negative" : "not a finite number"}`, "volume");
  return { rules, field: field ?? "close" };
}
