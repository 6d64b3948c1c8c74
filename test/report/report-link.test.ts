import { describe, expect, it } from "vitest";
import { checkReportLink, reportLinkKey, signReportLink } from "../../app/report/report-link.ts";

const BASE = "https://abc123.lambda-url.us-east-1.on.aws/";
const KEY = "reports/2026-03-13/s-20260313-0430.html";
const SECRET = reportLinkKey("xoxb-test-token");
const SIGNED_AT = new Date("2026-03-13T04:31:00Z");
const EXPIRES = new Date("2026-03-20T04:31:00Z");

function parts(link: string) {
  const url = new URL(link);
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

describe("a report link", () => {
  const link = signReportLink({ base: BASE, key: KEY, expiresAt: EXPIRES, secret: SECRET });

  it("goes to the Slack function's URL and names the page and its end", () => {
    const url = new URL(link);
    expect(url.origin).toBe("https://abc123.lambda-url.us-east-1.on.aws");
    expect(url.pathname).toBe("/report/2026-03-13/s-20260313-0430");
    expect(url.searchParams.get("expires")).toBe(String(EXPIRES.getTime() / 1000));
  });

  it("opens its page until it expires, days after the credentials of the function that wrote it have", () => {
    const { path, query } = parts(link);
    const sixDaysLater = new Date("2026-03-19T09:00:00Z");
    expect(checkReportLink(path, query, SECRET, sixDaysLater)).toEqual({ ok: true, key: KEY });
    expect(checkReportLink(path, query, SECRET, EXPIRES)).toEqual({ ok: false, reason: "expired" });
  });

  it("opens nothing else: another page, another end, another key, or a forged signature", () => {
    const { path, query } = parts(link);
    const at = SIGNED_AT;
    expect(checkReportLink(path.replace("0430", "0431"), query, SECRET, at)).toMatchObject({ reason: "bad-signature" });
    expect(
      checkReportLink(path, { ...query, expires: String(Number(query.expires) + 86_400) }, SECRET, at),
    ).toMatchObject({ reason: "bad-signature" });
    expect(checkReportLink(path, query, reportLinkKey("xoxb-rotated"), at)).toMatchObject({ reason: "bad-signature" });
    expect(checkReportLink(path, { ...query, signature: "0".repeat(64) }, SECRET, at)).toMatchObject({
      reason: "bad-signature",
    });
  });

  it("refuses a path outside the reports' keys before it computes anything", () => {
    const { query } = parts(link);
    for (const path of ["/report/../secrets", "/report/2026-03-13/../../x", "/report/2026-03-13/a%2Fb", "/report/"])
      expect(checkReportLink(path, query, SECRET, SIGNED_AT)).toMatchObject({ ok: false, reason: "malformed" });
    expect(checkReportLink("/slack/events", query, SECRET, SIGNED_AT)).toMatchObject({ reason: "not-a-report-link" });
    expect(() => signReportLink({ base: BASE, key: "other/x.html", expiresAt: EXPIRES, secret: SECRET })).toThrow(
      /not a report page's key/,
    );
  });
});
