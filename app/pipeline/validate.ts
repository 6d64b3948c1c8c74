import type { Bar } from "../domain/bar.ts";
import type { DailyRange, Datalake, ReferenceProvider } from "../domain/ports.ts";
import { checkSymbol, errorResult, providerErrorResult } from "../quality/check-symbol.ts";
import type { CheckInput, SymbolResult } from "../quality/types.ts";

export interface ValidateRequest {
  symbols: readonly string[];
  asOf: Date;
  lookbackDays: number;
  checkOptions?: CheckInput["options"];
}

const DAY_MS = 86_400_000;

/** A symbol's result, with the reference bars it was judged against when it failed (see keepReferenceOfFailures). */
export type ValidatedResult = SymbolResult & { reference?: readonly Bar[] };

/**
 * The provider range that covers the window: lookbackDays back from asOf, plus slack for the session before the
 * window (outlier returns need it) and for a long holiday weekend, and asOf's own date (the engine drops an
 * in-progress session).
 */
export function referenceRange(asOf: Date, lookbackDays: number): DailyRange {
  const end = new Date(asOf.getTime() + DAY_MS);
  const start = new Date(asOf.getTime() - (lookbackDays + 7) * DAY_MS);
  return { startDate: start.toISOString().slice(0, 10), endDate: end.toISOString().slice(0, 10) };
}

/**
 * Reads the subject bars, makes ONE provider request for every symbol whose bars could be read, and checks each.
 * A datalake failure or a per-symbol provider error becomes that symbol's `error` result. A rate limit or an
 * outage of the whole request is thrown (a ProviderError, domain/provider-errors.ts): the caller re-queues.
 */
export async function validateSymbols(
  request: ValidateRequest,
  datalake: Datalake,
  provider: ReferenceProvider,
  hooks: {
    beforeRequest?: (symbols: readonly string[]) => Promise<void>;
    /** After the request, whatever its outcome. */
    afterRequest?: () => Promise<void>;
    /**
     * Keep, with each failing symbol's result, the reference bars in the checked range: its report chart then
     * draws both series without another credit.
     */
    keepReferenceOfFailures?: boolean;
  } = {},
): Promise<ValidatedResult[]> {
  const subjects = new Map<string, Bar[]>();
  const results = new Map<string, ValidatedResult>();
  await Promise.all(
    request.symbols.map(async (symbol) => {
      try {
        subjects.set(symbol, await datalake.readBars(symbol));
      } catch (error) {
        results.set(symbol, errorResult(symbol, "datalake", (error as Error).message));
      }
    }),
  );
  const readable = request.symbols.filter((s) => subjects.has(s));
  if (readable.length > 0) {
    await hooks.beforeRequest?.(readable);
    let reference: Awaited<ReturnType<ReferenceProvider["dailyBars"]>>;
    try {
      reference = await provider.dailyBars(readable, referenceRange(request.asOf, request.lookbackDays));
    } finally {
      await hooks.afterRequest?.();
    }
    for (const symbol of readable) {
      const outcome = reference.get(symbol);
      if (!outcome) {
        results.set(symbol, errorResult(symbol, "provider", "the provider's answer had no entry for this symbol"));
      } else if (!outcome.ok) {
        results.set(symbol, providerErrorResult(symbol, outcome.code, outcome.message));
      } else {
        const result = checkSymbol({
          symbol,
          subject: subjects.get(symbol) ?? [],
          reference: outcome.series,
          asOf: request.asOf,
          options: { ...request.checkOptions, lookbackDays: request.lookbackDays },
        });
        const keep = hooks.keepReferenceOfFailures && result.status === "fail";
        results.set(symbol, keep ? { ...result, reference: inRange(outcome.series.bars, request) } : result);
      }
    }
  }
  return request.symbols.map((s) => results.get(s) ?? errorResult(s, "internal", "not validated"));
}

/** The bars of the checked range, the part of the reference a chart draws. */
function inRange(bars: readonly Bar[], request: ValidateRequest): Bar[] {
  const range = referenceRange(request.asOf, request.lookbackDays);
  return bars.filter((b) => b.date >= range.startDate && b.date <= range.endDate);
}
