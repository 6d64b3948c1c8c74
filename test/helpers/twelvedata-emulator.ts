import {
  startTwelveDataEmulator,
  type TwelveDataEmulator,
  type TwelveDataEmulatorOptions,
} from "../../local/twelvedata/emulator.ts";
import { createFixtureMarket } from "./fixture-market.ts";

/** Tuesday 2026-01-20, 22:00 UTC: after that day's close, so every bar up to 2026-01-20 is complete. */
export const AFTER_CLOSE = Date.UTC(2026, 0, 20, 22, 0, 0);

/** An emulator on the fixture market, after the close of 2026-01-20 unless told otherwise. */
export function startFixtureEmulator(options: Partial<TwelveDataEmulatorOptions> = {}): Promise<TwelveDataEmulator> {
  return startTwelveDataEmulator({ market: createFixtureMarket(), clock: () => AFTER_CLOSE, ...options });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** GET with the demo key in the Authorization header unless `headers` says otherwise. */
export async function get(
  baseUrl: string,
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = { authorization: "apikey demo" },
  signal?: AbortSignal,
): Promise<Reply> {
  const url = new URL(path, baseUrl);
  url.search = new URLSearchParams(params).toString();
  const response = await fetch(url, signal ? { headers, signal } : { headers });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The shape of one symbol's answer, for reading fields in assertions. */
export interface SeriesBody {
  meta: Record<string, string>;
  values: Record<string, string>[];
  status: string;
}
