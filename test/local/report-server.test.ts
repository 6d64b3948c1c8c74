import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoopbackServer } from "../../local/aws/http-server.ts";
import { startReportServer } from "../../local/report-server.ts";

let dir: string;
let server: LoopbackServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dq-reports-"));
  writeFileSync(join(dir, "s-1.html"), "<!doctype html><title>one</title>");
  writeFileSync(join(dir, "secret.txt"), "not a report");
  server = await startReportServer(dir);
});

afterAll(async () => {
  await server?.stop();
});

describe("dq local's report server", () => {
  it("lists the report pages and serves one", async () => {
    const index = await fetch(`${server.endpoint}/`);
    expect(await index.text()).toContain('<a href="s-1.html">s-1.html</a>');
    const page = await fetch(`${server.endpoint}/s-1.html`);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain("<title>one</title>");
  });

  it("serves nothing but the pages of its folder", async () => {
    for (const path of ["secret.txt", "..%2Fetc%2Fpasswd", "sub%2Fs-1.html", "missing.html"])
      expect((await fetch(`${server.endpoint}/${path}`)).status, path).toBe(404);
  });
});
