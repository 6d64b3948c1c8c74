/**
 * The few Block Kit blocks dq uses, typed narrowly so the terminal renderer can read back every one of them.
 * They are valid Slack `KnownBlock`s as they stand.
 */
export interface MrkdwnText {
  type: "mrkdwn";
  text: string;
}
export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}
export type Block =
  | { type: "header"; text: PlainText }
  | { type: "section"; text?: MrkdwnText; fields?: MrkdwnText[] }
  | { type: "context"; elements: MrkdwnText[] }
  | { type: "divider" };

/** A message: `text` is the notification and screen-reader fallback Slack requires beside blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

// Slack's limits: 150 characters for a header, 3000 for a section's text, 2000 per field, 10 fields.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;

export function header(text: string): Block {
  return { type: "header", text: { type: "plain_text", text: clip(text, HEADER_MAX), emoji: true } };
}

export function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: clip(text, SECTION_MAX) } };
}

export function fields(values: readonly string[]): Block {
  return {
    type: "section",
    fields: values.slice(0, 10).map((text) => ({ type: "mrkdwn", text: clip(text, FIELD_MAX) })),
  };
}

export function context(...texts: string[]): Block {
  return {
    type: "context",
    elements: texts.slice(0, 10).map((text) => ({ type: "mrkdwn", text: clip(text, FIELD_MAX) })),
  };
}

export const divider: Block = { type: "divider" };

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats `&`, `<` and `>` as control characters; anything from data must be escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** `▓▓▓▓▓░░░░░ 52%`: ten cells, rounded down so a bar is full only at 100 %. */
export function progressBar(pct: number, cells = 10): string {
  const bounded = Math.min(100, Math.max(0, Number.isFinite(pct) ? pct : 0));
  const filled = Math.floor((bounded / 100) * cells);
  return `${"▓".repeat(filled)}${"░".repeat(cells - filled)} ${Math.floor(bounded)}%`;
}

/** `45s`, `12m 05s`, `3h 07m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/** The first `limit` lines and, when some are left out, a last line saying how many. */
export function cutList(lines: readonly string[], limit: number, total = lines.length): string[] {
  const shown = lines.slice(0, limit);
  const more = total - shown.length;
  return more > 0 ? [...shown, `_+${more} more_`] : shown;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
