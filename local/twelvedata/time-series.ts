import type { Bar } from "../../app/domain/bar.ts";
import type { MarketData } from "../market/types.ts";
import {
  type ErrorBody,
  errorBody,
  invalidParameterMessage,
  MISSING_SYMBOL_MESSAGE,
  NO_DATA_MESSAGE,
  symbolNotFoundMessage,
} from "./messages.ts";

/** A parsed GET /time_series request. Dates are YYYY-MM-DD (a time part is accepted and dropped for daily bars). */
export interface TimeSeriesQuery {
  /** As requested, trimmed, in request order (duplicates kept: each costs a credit). */
  symbols: string[];
  outputsize: number | undefined;
  startDate: string | undefined;
  endDate: string | undefined;
  order: "asc" | "desc";
  dp: number;
}

export interface SeriesAnswer {
  meta: {
    symbol: string;
    interval: "1day";
    currency: string;
    exchange_timezone: string;
    exchange: string;
    mic_code: string;
    type: string;
  };
  values: Record<string, string>[];
  status: "ok";
}

const MAX_OUTPUTSIZE = 5000;
const DEFAULT_OUTPUTSIZE = 30;
const DEFAULT_DP = 5;
const DATE_PARAM = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$/;

export function parseTimeSeriesQuery(params: URLSearchParams): TimeSeriesQuery | ErrorBody {
  const symbols = (params.get("symbol") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (symbols.length === 0) return errorBody(400, MISSING_SYMBOL_MESSAGE);

  const interval = params.get("interval");
  if (interval !== "1day")
    return errorBody(400, invalidParameterMessage("interval", "the emulator supports 1day only"));

  let outputsize: number | undefined;
  const rawOutputsize = params.get("outputsize");
  if (rawOutputsize !== null) {
    outputsize = Number(rawOutputsize);
    if (!Number.isInteger(outputsize) || outputsize < 1 || outputsize > MAX_OUTPUTSIZE)
      return errorBody(400, invalidParameterMessage("outputsize", `expected an integer from 1 to ${MAX_OUTPUTSIZE}`));
  }

  const startDate = parseDate(params.get("start_date"));
  if (startDate === null) return errorBody(400, invalidParameterMessage("start_date", "expected YYYY-MM-DD"));
  const endDate = parseDate(params.get("end_date"));
  if (endDate === null) return errorBody(400, invalidParameterMessage("end_date", "expected YYYY-MM-DD"));

  const order = (params.get("order") ?? "desc").toLowerCase();
  if (order !== "asc" && order !== "desc") return errorBody(400, invalidParameterMessage("order", "asc or desc"));

  let dp = DEFAULT_DP;
  const rawDp = params.get("dp");
  if (rawDp !== null) {
    dp = Number(rawDp);
    if (!Number.isInteger(dp) || dp < 0 || dp > 11) return errorBody(400, invalidParameterMessage("dp", "0 to 11"));
  }

  return { symbols, outputsize, startDate, endDate, order, dp };
}

/** undefined: not given; null: given and malformed. */
function parseDate(raw: string | null): string | undefined | null {
  if (raw === null || raw === "") return undefined;
  const match = DATE_PARAM.exec(raw.trim());
  return match ? match[1] : null;
}

/**
 * One symbol's answer, as of `asOf`. `SYMBOL:EXCHANGE` must name the instrument's exchange or MIC.
 * end_date is exclusive for daily bars, as observed on the real service.
 */
export function answerSymbol(
  market: MarketData,
  requested: string,
  query: TimeSeriesQuery,
  asOf: Date,
): SeriesAnswer | ErrorBody {
  const [base = "", exchange] = requested.toUpperCase().split(":", 2);
  const meta = market.meta(base);
  const exchangeMatches =
    exchange === undefined || exchange === meta?.exchange.toUpperCase() || exchange === meta?.micCode.toUpperCase();
  if (!meta || !exchangeMatches) return errorBody(404, symbolNotFoundMessage(requested));

  const { startDate, endDate } = query;
  const inRange = market
    .dailyBars(base, asOf)
    .filter((b) => (startDate === undefined || b.date >= startDate) && (endDate === undefined || b.date < endDate));
  const limit = query.outputsize ?? (startDate === undefined ? DEFAULT_OUTPUTSIZE : MAX_OUTPUTSIZE);
  const bars = inRange.slice(Math.max(0, inRange.length - limit));
  if (bars.length === 0) return errorBody(400, NO_DATA_MESSAGE);
  if (query.order === "desc") bars.reverse();

  return {
    meta: {
      symbol: meta.symbol,
      interval: "1day",
      currency: meta.currency,
      exchange_timezone: meta.exchangeTimezone,
      exchange: meta.exchange,
      mic_code: meta.micCode,
      type: meta.type,
    },
    values: bars.map((bar) => formatBar(bar, query.dp)),
    status: "ok",
  };
}

/** Every number a string, as the provider sends them; volume left out where the instrument has none. */
function formatBar(bar: Bar, dp: number): Record<string, string> {
  const value: Record<string, string> = {
    datetime: bar.date,
    open: bar.open.toFixed(dp),
    high: bar.high.toFixed(dp),
    low: bar.low.toFixed(dp),
    close: bar.close.toFixed(dp),
  };
  if (bar.volume !== null) value.volume = String(Math.round(bar.volume));
  return value;
}
