import { isTimeZone } from "../calendar/zoned-time.ts";
import { UserFacingError } from "../domain/errors.ts";

/** A notification setting that cannot be read. */
export class NotifySettingsError extends UserFacingError {
  override name = "NotifySettingsError";
}

export const NotifyMode = { all: "all", failures: "failures" } as const;
export type NotifyMode = (typeof NotifyMode)[keyof typeof NotifyMode];

/** A daily span of local time, e.g. 22:00-07:00 in Europe/London (it may wrap midnight). */
export interface QuietHours {
  /** Minutes after local midnight. */
  start: number;
  end: number;
  timezone: string;
}

/** How the notifier reaches people. */
export interface NotifySettings {
  /** A Slack user group (S…) or user (U…/W…) mentioned on failures. @default nobody */
  oncall?: string;
  /** `failures`: a scheduled (or CLI) session that passes posts nothing. @default all */
  notify?: NotifyMode;
  /** Summaries in this span still post, without the mention. */
  quietHours?: QuietHours;
  /** "Open report" link, `{session}` replaced by the session id. */
  reportUrl?: string;
  /** "Open logs" link, `{session}` replaced by the session id. */
  logsUrl?: string;
}

const QUIET = /^\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)(?:\s+(\S+))?\s*$/;

/** `22:00-07:00 Europe/London` (the zone defaults to UTC). */
export function parseQuietHours(text: string): QuietHours {
  const match = text.match(QUIET);
  if (!match)
    throw new NotifySettingsError(`quiet hours ${JSON.stringify(text.slice(0, 60))}: expected HH:MM-HH:MM [Area/City]`);
  const timezone = match[5] ?? "UTC";
  if (!isTimeZone(timezone))
    throw new NotifySettingsError(`quiet hours: ${JSON.stringify(timezone)} is not an IANA time zone`);
  const start = Number(match[1]) * 60 + Number(match[2]);
  const end = Number(match[3]) * 60 + Number(match[4]);
  if (start === end) throw new NotifySettingsError("quiet hours: the span is empty (start equals end)");
  return { start, end, timezone };
}

export function parseNotifyMode(text: string): NotifyMode {
  const mode = text.trim().toLowerCase();
  if (mode === NotifyMode.all || mode === NotifyMode.failures) return mode;
  throw new NotifySettingsError(`notify ${JSON.stringify(text.slice(0, 40))}: expected all or failures`);
}

/** A user group (S…) or a user (U…, W…) to mention. */
export function parseOncall(text: string): string {
  const id = text.trim();
  if (!/^[SUW][A-Z0-9]{2,31}$/.test(id))
    throw new NotifySettingsError(
      `on-call ${JSON.stringify(id.slice(0, 40))}: expected a user group ID (S…) or a user ID (U…)`,
    );
  return id;
}

/** A link template: https, with `{session}` where the session id goes. */
export function parseLinkTemplate(text: string, what: string): string {
  const template = text.trim();
  let url: URL;
  try {
    url = new URL(template.replaceAll("{session}", "s-0"));
  } catch {
    throw new NotifySettingsError(`${what} link ${JSON.stringify(template.slice(0, 80))} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new NotifySettingsError(`${what} link must be http(s)`);
  return template;
}

/** How Slack mentions the on-call: `<!subteam^S…>` for a user group, `<@U…>` for a user. */
export function mentionOf(oncall: string): string {
  return oncall.startsWith("S") ? `<!subteam^${oncall}>` : `<@${oncall}>`;
}

/** The link of `template` for a session. */
export function linkFor(template: string | undefined, sessionId: string): string | undefined {
  return template?.replaceAll("{session}", encodeURIComponent(sessionId));
}

/** Whether `now` falls in the quiet hours, and when they end (`HH:MM zone`). */
export function quietAt(quiet: QuietHours | undefined, now: number): { quiet: boolean; until?: string } {
  if (!quiet) return { quiet: false };
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: quiet.timezone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(now));
  const minutes =
    Number(parts.find((p) => p.type === "hour")?.value) * 60 + Number(parts.find((p) => p.type === "minute")?.value);
  const inside =
    quiet.start < quiet.end
      ? minutes >= quiet.start && minutes < quiet.end
      : minutes >= quiet.start || minutes < quiet.end;
  if (!inside) return { quiet: false };
  const hh = String(Math.floor(quiet.end / 60)).padStart(2, "0");
  const mm = String(quiet.end % 60).padStart(2, "0");
  return { quiet: true, until: `${hh}:${mm} ${quiet.timezone}` };
}
