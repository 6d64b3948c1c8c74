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
/** The dialog Slack shows before it sends a button's action. */
export interface ConfirmDialog {
  title: PlainText;
  text: MrkdwnText;
  confirm: PlainText;
  deny: PlainText;
  style?: "primary" | "danger";
}
/** A button: an action dq handles (`action_id`, `value`), or a link (`url`). */
export interface ButtonElement {
  type: "button";
  text: PlainText;
  action_id: string;
  value?: string;
  url?: string;
  style?: "primary" | "danger";
  confirm?: ConfirmDialog;
}
export type Block =
  | { type: "header"; text: PlainText }
  | { type: "section"; text?: MrkdwnText; fields?: MrkdwnText[] }
  | { type: "context"; elements: MrkdwnText[] }
  | { type: "actions"; block_id?: string; elements: ButtonElement[] }
  | { type: "divider" };

/** A message: `text` is the notification and screen-reader fallback Slack requires beside blocks. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * Slack's Block Kit limits dq builds within: 50 blocks a message, 150 characters for a header, 3,000 for a
 * section's text, 2,000 per field (10 fields), 75 for a button's label. Beyond the documented ones, Slack refuses
 * a message whose blocks carry more than about 13,000 characters together (`msg_blocks_too_long`): dq keeps a
 * message's blocks under `blocksText`.
 */
export const LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  field: 2000,
  button: 75,
  buttonValue: 2000,
  blocksText: 11_000,
  /** The notification text: Slack truncates at 40,000; dq keeps it short. */
  text: 3000,
} as const;
const HEADER_MAX = LIMITS.header;
const SECTION_MAX = LIMITS.section;
const FIELD_MAX = LIMITS.field;

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

export function plainText(text: string, max: number = LIMITS.button): PlainText {
  return { type: "plain_text", text: clip(text, max), emoji: true };
}

/** A button dq handles: Slack sends `actionId` and `value` back when it is pressed (after `confirm`, if given). */
export function button(
  label: string,
  actionId: string,
  value: string,
  options: { style?: "primary" | "danger"; confirm?: { title: string; text: string; yes: string } } = {},
): ButtonElement {
  return {
    type: "button",
    text: plainText(label),
    action_id: actionId,
    value: value.slice(0, LIMITS.buttonValue),
    ...(options.style ? { style: options.style } : {}),
    ...(options.confirm
      ? {
          confirm: {
            title: plainText(options.confirm.title, 100),
            text: { type: "mrkdwn", text: clip(options.confirm.text, 300) },
            confirm: plainText(options.confirm.yes, 30),
            deny: plainText("Not now", 30),
            ...(options.style ? { style: options.style } : {}),
          },
        }
      : {}),
  };
}

/** A button that opens `url`; Slack still sends an action for it, which dq answers with nothing. */
export function linkButton(label: string, actionId: string, url: string): ButtonElement {
  return { type: "button", text: plainText(label), action_id: actionId, url: url.slice(0, 3000) };
}

export function actions(elements: readonly ButtonElement[], blockId?: string): Block {
  return { type: "actions", ...(blockId ? { block_id: blockId } : {}), elements: elements.slice(0, 25) };
}

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
