import { isTimeZone } from "../calendar/zoned-time.ts";
import { isValidSymbol } from "../domain/symbol.ts";

/** Symbols one `/dq run` may name: longer lists belong in the configured universe, not in a chat line. */
export const MAX_SLACK_SYMBOLS = 200;
export const MIN_LOOKBACK_DAYS = 1;
export const MAX_LOOKBACK_DAYS = 366;

/** Session ids as the pipeline makes them (`s-…`), or anything an operator could paste that cannot inject. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const HH_MM = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** A session id as an operator could paste it (or a button carries it); `latest` is not one. */
export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value) && value.toLowerCase() !== "latest";
}

export type ScheduleAction =
  | { action: "show" }
  | { action: "pause" }
  | { action: "resume" }
  | { action: "set"; hour: number; minute: number; timezone?: string };

/** How long `/dq mute` mutes by default, and at most. */
export const DEFAULT_MUTE_DAYS = 7;
export const MAX_MUTE_DAYS = 90;
/** Symbols one `/dq mute` may name. */
export const MAX_MUTE_SYMBOLS = 50;

/** What `/dq <text>` asks for. `invalid` carries a one-line explanation for the user; `unknown` the text as typed. */
export type DqCommand =
  | { kind: "run"; symbols?: string[]; lookbackDays?: number }
  | { kind: "status"; session?: string }
  | { kind: "retry"; session: string }
  | { kind: "cancel"; session: string }
  | { kind: "schedule"; schedule: ScheduleAction }
  /** Leaves the symbols out of summaries for `hours`; with no symbols, lists the mutes. */
  | { kind: "mute"; symbols: string[]; hours: number }
  | { kind: "unmute"; symbols: string[] }
  | { kind: "help" }
  | { kind: "invalid"; command: string; reason: string }
  | { kind: "unknown"; text: string };

export type DqCommandKind = DqCommand["kind"];

/** Parses the text after `/dq`. Never throws: anything it cannot read becomes `invalid` or `unknown`. */
export function parseDqCommand(text: string): DqCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) return { kind: "help" };
  const verb = first.toLowerCase();
  switch (verb) {
    case "run":
      return parseRun(rest);
    case "status":
      return parseStatus(rest);
    case "retry":
    case "cancel":
      return parseSessionVerb(verb, rest);
    case "schedule":
      return parseSchedule(rest);
    case "mute":
    case "mutes":
      return parseMute(rest);
    case "unmute":
      return parseUnmute(rest);
    case "help":
    case "-h":
    case "--help":
      return { kind: "help" };
    default:
      return { kind: "unknown", text: text.trim().slice(0, 200) };
  }
}

function invalid(command: string, reason: string): DqCommand {
  return { kind: "invalid", command, reason };
}

function parseRun(args: string[]): DqCommand {
  const symbols: string[] = [];
  let lookbackDays: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith("-")) {
      const [flag, inline] = arg.split("=", 2) as [string, string | undefined];
      if (flag !== "--lookback" && flag !== "-l")
        return invalid("run", `unknown option ${quote(flag)}; the only option is --lookback N`);
      const value = inline ?? args[++i];
      if (value === undefined) return invalid("run", "--lookback needs a number of days");
      const days = Number(value);
      if (!Number.isInteger(days) || days < MIN_LOOKBACK_DAYS || days > MAX_LOOKBACK_DAYS)
        return invalid(
          "run",
          `--lookback must be a whole number of days from ${MIN_LOOKBACK_DAYS} to ${MAX_LOOKBACK_DAYS}, got ${quote(value)}`,
        );
      lookbackDays = days;
      continue;
    }
    // Slack users paste lists in any shape: `AAPL MSFT`, `AAPL,MSFT`, `AAPL, MSFT`.
    for (const raw of arg.split(",")) {
      if (raw === "") continue;
      const symbol = raw.toUpperCase();
      if (!isValidSymbol(symbol))
        return invalid("run", `${quote(raw)} is not a symbol: use 1-24 characters of A-Z, 0-9, '.', '-', '/', ':'`);
      if (!symbols.includes(symbol)) symbols.push(symbol);
    }
  }
  if (symbols.length > MAX_SLACK_SYMBOLS)
    return invalid(
      "run",
      `${symbols.length} symbols is more than the ${MAX_SLACK_SYMBOLS} a Slack command may name; run the configured universe with \`/dq run\` or use the dq CLI`,
    );
  return {
    kind: "run",
    ...(symbols.length > 0 ? { symbols } : {}),
    ...(lookbackDays !== undefined ? { lookbackDays } : {}),
  };
}

function parseStatus(args: string[]): DqCommand {
  if (args.length === 0) return { kind: "status" };
  if (args.length > 1) return invalid("status", "status takes at most one session id (or `latest`)");
  const session = args[0] as string;
  if (session.toLowerCase() === "latest") return { kind: "status", session: "latest" };
  if (!SESSION_ID.test(session)) return invalid("status", `${quote(session)} is not a session id`);
  return { kind: "status", session };
}

function parseSessionVerb(verb: "retry" | "cancel", args: string[]): DqCommand {
  const session = args[0];
  if (session === undefined || args.length > 1)
    return invalid(verb, `${verb} takes exactly one session id, e.g. \`/dq ${verb} s-0123abcd\``);
  if (verb === "retry" && session.toLowerCase() === "latest") return { kind: "retry", session: "latest" };
  if (!SESSION_ID.test(session) || session.toLowerCase() === "latest")
    return invalid(
      verb,
      `${quote(session)} is not a session id${verb === "cancel" ? " (cancel needs an explicit id)" : ""}`,
    );
  return { kind: verb, session };
}

const DURATION = /^(\d{1,4})(h|d|w)$/i;

/** `mute AAPL MSFT [for] 7d`: symbols, then an optional duration in hours, days or weeks. */
function parseMute(args: string[]): DqCommand {
  const words = [...args];
  let hours = DEFAULT_MUTE_DAYS * 24;
  const last = words.at(-1);
  const duration = last?.match(DURATION);
  if (duration) {
    words.pop();
    if (words.at(-1)?.toLowerCase() === "for") words.pop();
    const n = Number(duration[1]);
    const unit = (duration[2] as string).toLowerCase();
    hours = unit === "h" ? n : unit === "d" ? n * 24 : n * 24 * 7;
    if (hours < 1 || hours > MAX_MUTE_DAYS * 24)
      return invalid("mute", `a mute lasts from 1h to ${MAX_MUTE_DAYS}d, got ${quote(last as string)}`);
  } else if (last?.toLowerCase() === "for") return invalid("mute", "`for` needs a duration such as 7d, 12h or 2w");
  const symbols = symbolsOf("mute", words);
  if (!Array.isArray(symbols)) return symbols;
  return { kind: "mute", symbols, hours };
}

function parseUnmute(args: string[]): DqCommand {
  if (args.length === 0) return invalid("unmute", "name the symbols to unmute, e.g. `/dq unmute AAPL`");
  const symbols = symbolsOf("unmute", args);
  return Array.isArray(symbols) ? { kind: "unmute", symbols } : symbols;
}

function symbolsOf(verb: string, words: readonly string[]): string[] | DqCommand {
  const symbols: string[] = [];
  for (const raw of words.flatMap((w) => w.split(",")).filter(Boolean)) {
    const symbol = raw.toUpperCase();
    if (!isValidSymbol(symbol))
      return invalid(verb, `${quote(raw)} is not a symbol: use 1-24 characters of A-Z, 0-9, '.', '-', '/', ':'`);
    if (!symbols.includes(symbol)) symbols.push(symbol);
  }
  if (symbols.length > MAX_MUTE_SYMBOLS) return invalid(verb, `at most ${MAX_MUTE_SYMBOLS} symbols at once`);
  return symbols;
}

function parseSchedule(args: string[]): DqCommand {
  const [action, ...rest] = args;
  const verb = action?.toLowerCase() ?? "show";
  if ((verb === "show" || verb === "pause" || verb === "resume") && rest.length === 0)
    return { kind: "schedule", schedule: { action: verb } };
  if (verb !== "set") return invalid("schedule", "use `/dq schedule [show|pause|resume|set HH:MM [TZ]]`");
  const [time, timezone, ...extra] = rest;
  const match = time?.match(HH_MM);
  if (!match || extra.length > 0)
    return invalid(
      "schedule",
      `\`/dq schedule set\` needs a time HH:MM (24-hour) and optionally a time zone, got ${quote(rest.join(" "))}`,
    );
  if (timezone !== undefined && !isTypedTimeZone(timezone))
    return invalid(
      "schedule",
      `${quote(timezone)} is not an IANA time zone (e.g. UTC, America/New_York, Europe/London)`,
    );
  return {
    kind: "schedule",
    schedule: {
      action: "set",
      hour: Number(match[1]),
      minute: Number(match[2]),
      ...(timezone !== undefined ? { timezone: canonicalTimeZone(timezone) } : {}),
    },
  };
}

/** A zone name as typed in Slack: short, of the characters zone names use, and known to the runtime. */
function isTypedTimeZone(zone: string): boolean {
  return /^[A-Za-z0-9_+\-/]{1,50}$/.test(zone) && isTimeZone(zone);
}

/** `utc` -> `UTC`, `europe/london` -> `Europe/London`: the spelling Scheduler expects. */
function canonicalTimeZone(zone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
}

function quote(value: string): string {
  return `\`${value.slice(0, 40).replaceAll("`", "'")}\``;
}
