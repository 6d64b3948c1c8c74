import type { Bar } from "../domain/bar.ts";
import { formatPct, issue, sessions } from "./issues.ts";
import { diffPct } from "./price-checks.ts";
import { CheckCode, type Issue } from "./types.ts";

/** Closes further apart than this on most sessions, with no constant factor, are two different instruments. */
const APART_PCT = 20;
const MOST = 0.8;
const AT_LEAST = 5;

/**
 * The datalake and the provider hold different instruments under one ticker (a delisted ticker reused, a renamed
 * company, another share class): most compared closes are far apart and no constant factor explains them.
 * Reported once instead of one price_mismatch per day.
 *
 * @param inRun run index per compared session (-1: none); sessions in an adjustment run are explained already
 */
export function instrumentMismatchIssue(
  subject: readonly Bar[],
  reference: readonly Bar[],
  inRun: Int32Array,
): Issue | undefined {
  let compared = 0;
  let apart = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let from: string | undefined;
  let to: string | undefined;
  for (let i = 0; i < subject.length; i++) {
    if ((inRun[i] as number) >= 0) continue;
    const pct = diffPct((subject[i] as Bar).close, (reference[i] as Bar).close);
    if (!Number.isFinite(pct)) continue;
    compared++;
    if (pct <= APART_PCT) continue;
    apart++;
    min = Math.min(min, pct);
    max = Math.max(max, pct);
    from ??= (subject[i] as Bar).date;
    to = (subject[i] as Bar).date;
  }
  if (compared < AT_LEAST || apart < compared * MOST) return undefined;
  return issue(
    CheckCode.instrumentMismatch,
    `closes differ from the reference by ${formatPct(min)} to ${formatPct(max)} on ${apart} of ${sessions(compared)} ` +
      "with no constant factor: the datalake and the provider hold different instruments (a delisted or reused ticker?)",
    { from, to, count: apart },
  );
}
