import { context, escapeMrkdwn, type SlackMessage, section } from "./blocks.ts";
import { MAX_LOOKBACK_DAYS, MAX_SLACK_SYMBOLS } from "./command.ts";
import type { AlarmMessage } from "./event-details.ts";
import type { DailyScheduleInfo, Mute } from "./ports.ts";

const USAGE = [
  "`/dq run [SYMBOLS...] [--lookback N]` — check the symbols (or the configured universe) against the reference",
  "`/dq status [session|latest]` — progress of a session; with no argument, the recent sessions",
  "`/dq retry <session>` — re-run the failed and errored symbols of a finished session",
  "`/dq cancel <session>` — stop a running session (admins)",
  "`/dq schedule [show|pause|resume|set HH:MM [TZ]]` — the daily run (changes: admins)",
  "`/dq mute SYMBOL... [for 7d]` — leave symbols out of the summaries for a while (the checks still run); `/dq mute` lists the mutes, `/dq unmute SYMBOL` ends one",
  "`/dq help` — this text",
];

export function helpMessage(): SlackMessage {
  return {
    text: "dq: market-data quality checks",
    blocks: [
      section("*dq* checks the datalake's daily bars against the reference provider."),
      section(USAGE.join("\n")),
      context(`At most ${MAX_SLACK_SYMBOLS} symbols per command; lookback 1-${MAX_LOOKBACK_DAYS} days.`),
    ],
  };
}

/** Anything `/dq` did not understand: what was typed, and what it accepts. */
export function unknownMessage(text: string): SlackMessage {
  const said = `dq does not know \`${escapeMrkdwn(text.slice(0, 60).replaceAll("`", "'"))}\`.`;
  return { text: said, blocks: [section(said), section(USAGE.join("\n"))] };
}

export function invalidMessage(command: string, reason: string): SlackMessage {
  const text = escapeMrkdwn(`/dq ${command}: ${reason}`);
  return { text, blocks: [section(`:warning: ${text}`), context("`/dq help` lists the commands")] };
}

export function refusalMessage(reason: string): SlackMessage {
  const text = `Sorry, you cannot do that: ${reason}.`;
  return { text, blocks: [section(`:lock: ${text}`), context("Ask a dq admin if you need access.")] };
}

/** A failure after the acknowledgement: one line, never a stack trace. */
export function failureMessage(command: string, reason: string): SlackMessage {
  const text = escapeMrkdwn(`/dq ${command} failed: ${reason}`);
  return { text, blocks: [section(`:warning: ${text}`)] };
}

/**
 * A short notice. Its text is escaped, in the blocks and in the notification text alike, so nothing in it (an
 * error's message, an alarm's reason) can mention `<!channel>` or a user; backticks and *bold* still work.
 */
export function noticeMessage(text: string): SlackMessage {
  const escaped = escapeMrkdwn(text);
  return { text: escaped, blocks: [section(escaped)] };
}

export function scheduleMessage(info: DailyScheduleInfo, change?: string): SlackMessage {
  const state = info.state === "ENABLED" ? ":large_green_circle: enabled" : ":double_vertical_bar: paused";
  const when = info.time
    ? `${info.time} ${info.timezone}${info.days ? `, ${info.days}` : ""}`
    : `\`${info.expression}\` (${info.timezone})`;
  const lead = change ? `${change}\n` : "";
  const text = `${lead}Daily dq run: ${when}, ${info.state === "ENABLED" ? "enabled" : "paused"}`;
  return {
    text,
    blocks: [
      section(`${lead}*Daily dq run* (\`${escapeMrkdwn(info.name)}\`)\n${when} · ${state}`),
      context(`Expression: \`${escapeMrkdwn(info.expression)}\``),
      ...(info.alongside ?? []).map((other) =>
        context(
          other.state === "ENABLED"
            ? `\`${escapeMrkdwn(other.name)}\` resumed with it.`
            : `\`${escapeMrkdwn(other.name)}\` paused with it: no scheduled session starts until \`/dq schedule resume\`.`,
        ),
      ),
    ],
  };
}

/** `/dq mute` without symbols: the mutes in force. */
export function mutesMessage(mutes: readonly Mute[]): SlackMessage {
  if (mutes.length === 0)
    return {
      text: "No symbol is muted.",
      blocks: [section("No symbol is muted. `/dq mute SYMBOL for 7d` mutes one.")],
    };
  const lines = mutes.map((m) => `• *${escapeMrkdwn(m.symbol)}* until ${utc(m.until)} (by <@${m.by}>)`);
  return {
    text: `${mutes.length} muted ${mutes.length === 1 ? "symbol" : "symbols"}`,
    blocks: [
      section(
        `*Muted symbols*: their failures stay out of dq's summaries; the checks still run.\n${lines.join("\n")}`.slice(
          0,
          2900,
        ),
      ),
      context("`/dq unmute SYMBOL` ends a mute"),
    ],
  };
}

/** What `/dq mute` did. */
export function mutedMessage(symbols: readonly string[], until: string): SlackMessage {
  const list = symbols.map(escapeMrkdwn).join(", ");
  const text = `Muted ${list} until ${utc(until)}: their failures stay out of dq's summaries (never out of the checks or the results). \`/dq unmute ${escapeMrkdwn(symbols[0] ?? "SYMBOL")}\` ends it sooner.`;
  return { text, blocks: [section(`:mute: ${text}`)] };
}

/** What `/dq unmute` did. */
export function unmutedMessage(ended: readonly string[], notMuted: readonly string[]): SlackMessage {
  const parts: string[] = [];
  if (ended.length > 0)
    parts.push(`Unmuted ${ended.map(escapeMrkdwn).join(", ")}: their failures show in summaries again.`);
  if (notMuted.length > 0)
    parts.push(`${notMuted.map(escapeMrkdwn).join(", ")} ${notMuted.length === 1 ? "was" : "were"} not muted.`);
  const text = parts.join(" ");
  return { text, blocks: [section(text)] };
}

function utc(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** A CloudWatch alarm changing state, as a short channel post. */
export function alarmMessage(alarm: AlarmMessage): SlackMessage {
  const icon =
    alarm.NewStateValue === "ALARM"
      ? ":rotating_light:"
      : alarm.NewStateValue === "OK"
        ? ":white_check_mark:"
        : ":grey_question:";
  const title = `${alarm.NewStateValue}: ${alarm.AlarmName}`;
  const lines = [`${icon} *${escapeMrkdwn(title)}*`];
  if (alarm.AlarmDescription) lines.push(escapeMrkdwn(alarm.AlarmDescription));
  if (alarm.NewStateReason) lines.push(`_${escapeMrkdwn(alarm.NewStateReason.slice(0, 500))}_`);
  const when = [alarm.StateChangeTime, alarm.Region].filter(Boolean).join(" · ");
  return {
    text: `dq alarm ${title}`,
    blocks: [section(lines.join("\n")), ...(when ? [context(escapeMrkdwn(when))] : [])],
  };
}
