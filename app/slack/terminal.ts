import type { Block, SlackMessage } from "./blocks.ts";

const EMOJI: Record<string, string> = {
  white_check_mark: "✅",
  x: "❌",
  no_entry_sign: "🚫",
  hourglass_flowing_sand: "⏳",
  rocket: "🚀",
  warning: "⚠️",
  lock: "🔒",
  rotating_light: "🚨",
  large_green_circle: "🟢",
  double_vertical_bar: "⏸",
  grey_question: "❔",
  bell: "🔔",
  mute: "🔇",
  new: "🆕",
  repeat: "🔁",
  sparkles: "✨",
  moon: "🌙",
  thread: "🧵",
};

/**
 * Blocks as plain text for a terminal, so the local stack and `npm run demo` show what the channel would see:
 * mrkdwn markers dropped, mentions and links reduced to their text, emoji codes turned into emoji.
 */
export function renderForTerminal(blocks: readonly Block[], width = 72): string {
  const lines: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "header":
        lines.push(plain(block.text.text).toUpperCase());
        break;
      case "section":
        if (block.text) lines.push(plain(block.text.text));
        // Slack lays fields out in two columns.
        if (block.fields) {
          const cells = block.fields.map((f) => plain(f.text).replace("\n", ": "));
          for (let i = 0; i < cells.length; i += 2)
            lines.push(
              cells
                .slice(i, i + 2)
                .map((c, j) => (j === 0 && i + 1 < cells.length ? c.padEnd(34) : c))
                .join("  ")
                .trimEnd(),
            );
        }
        break;
      case "context":
        lines.push(block.elements.map((e) => plain(e.text)).join("  ·  "));
        break;
      case "actions":
        // Buttons as the channel shows them: a link button opens a page, the others ask dq to act.
        lines.push(block.elements.map((e) => `[ ${e.text.text}${e.url ? " ↗" : ""} ]`).join("  "));
        break;
      case "divider":
        lines.push("─".repeat(Math.min(width, 40)));
        break;
    }
  }
  return lines.join("\n");
}

/** A message with a frame and its channel, for a terminal log. */
export function renderMessageForTerminal(
  message: Partial<SlackMessage> & { channel?: string },
  label = "slack",
): string {
  const body = message.blocks?.length ? renderForTerminal(message.blocks) : plain(message.text ?? "");
  const title = `┌─ ${label}${message.channel ? ` #${message.channel}` : ""} `;
  const indented = body
    .split("\n")
    .map((line) => `│ ${line}`)
    .join("\n");
  return `${title}${"─".repeat(Math.max(2, 60 - title.length))}\n${indented}\n└${"─".repeat(59)}`;
}

function plain(mrkdwn: string): string {
  return mrkdwn
    .replace(/<@([A-Z0-9]+)>/g, "@$1")
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|@?([^>]*))?>/g, (_m, id: string, name?: string) => `@${name || id}`)
    .replace(/<!(here|channel|everyone)>/g, "@$1")
    .replace(/<#([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `#${name || id}`)
    .replace(/<([^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<([^>]+)>/g, "$1")
    .replace(/:([a-z0-9_+-]+):/g, (match, code: string) => EMOJI[code] ?? match)
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=[\s.,:;)·]|$)/gm, "$1$2")
    .replace(/(^|[\s(])_([^_\n]+)_(?=[\s.,:;)·]|$)/gm, "$1$2")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}
