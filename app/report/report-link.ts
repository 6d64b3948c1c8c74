import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Links to report pages that outlive the credentials of the function that wrote them.
 *
 * An S3 pre-signed URL is valid only as long as the credentials that signed it: a Lambda role's session lasts
 * hours, so a "7-day" link posted at 04:30 is dead by the time a busy operator clicks it. A report link instead
 * names the page and an expiry, signed with a key only dq's functions hold (derived from the Slack bot token, which
 * the notifier and the Slack function both read); the Slack function's URL checks it and redirects to a pre-signed
 * URL made at the click, valid for minutes.
 */

/** A page's path in a link: `<yyyy-mm-dd>/<session id>`, the part of its S3 key that varies. */
const PAGE = /^(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9._-]{1,128})$/;
const PREFIX = "/report/";

/** The HMAC key of report links, from a secret the signing and the checking functions share. */
export function reportLinkKey(secret: string): Buffer {
  return createHmac("sha256", secret).update("dq report link v1").digest();
}

export interface SignReportLinkOptions {
  /** The Slack function's URL (https://<id>.lambda-url.<region>.on.aws/). */
  base: string;
  /** The page's S3 key: reports/<yyyy-mm-dd>/<session>.html (see reportKey). */
  key: string;
  /** The link's end. */
  expiresAt: Date;
  secret: Buffer;
}

/** A link that opens the page until `expiresAt`, through the function at `base`. */
export function signReportLink(options: SignReportLinkOptions): string {
  const page = pageOfKey(options.key);
  const expires = Math.floor(options.expiresAt.getTime() / 1000);
  const url = new URL(`${PREFIX.slice(1)}${page}`, options.base.endsWith("/") ? options.base : `${options.base}/`);
  url.searchParams.set("expires", String(expires));
  url.searchParams.set("signature", signature(options.secret, page, expires));
  return url.toString();
}

export type ReportLinkCheck =
  | { ok: true; key: string }
  | { ok: false; reason: "not-a-report-link" | "malformed" | "bad-signature" | "expired" };

/** Is this request path a report link (the Slack function's URL serves these besides Slack's requests)? */
export function isReportLinkPath(path: string | undefined): boolean {
  return path?.startsWith(PREFIX) ?? false;
}

/** The S3 key a link opens, if its signature holds and it has not expired at `now`. */
export function checkReportLink(
  path: string,
  query: Readonly<Record<string, string | undefined>>,
  secret: Buffer,
  now: Date,
): ReportLinkCheck {
  if (!isReportLinkPath(path)) return { ok: false, reason: "not-a-report-link" };
  const page = decodeURIComponent(path.slice(PREFIX.length));
  const expires = Number(query.expires);
  const given = query.signature ?? "";
  if (!PAGE.test(page) || !Number.isSafeInteger(expires) || !/^[0-9a-f]{64}$/.test(given))
    return { ok: false, reason: "malformed" };
  const expected = Buffer.from(signature(secret, page, expires), "hex");
  if (!timingSafeEqual(expected, Buffer.from(given, "hex"))) return { ok: false, reason: "bad-signature" };
  if (now.getTime() >= expires * 1000) return { ok: false, reason: "expired" };
  return { ok: true, key: keyOfPage(page) };
}

function signature(secret: Buffer, page: string, expires: number): string {
  return createHmac("sha256", secret).update(`${page}\n${expires}`).digest("hex");
}

function pageOfKey(key: string): string {
  const page = key.replace(/^reports\//, "").replace(/\.html$/, "");
  if (!PAGE.test(page)) throw new RangeError(`not a report page's key: ${key}`);
  return page;
}

function keyOfPage(page: string): string {
  return `reports/${page}.html`;
}
