import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type LoopbackServer, listenOnLoopback } from "./aws/http-server.ts";

/** A report page's file name: what `dq report` writes (<session>.html), nothing that could leave the directory. */
const PAGE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.html$/;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

/**
 * `dq local`'s report pages over HTTP on loopback: `/` lists them (newest first), `/<session>.html` serves one.
 * The pages are self-contained, so this only hands files over.
 */
export function startReportServer(dir: string): Promise<LoopbackServer> {
  mkdirSync(dir, { recursive: true });
  return listenOnLoopback("reports", async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname.slice(1));
    if (path === "") {
      const pages = existsSync(dir) ? readdirSync(dir).filter((f) => PAGE.test(f)) : [];
      pages.sort().reverse();
      const items = pages.map((p) => `<li><a href="${encodeURIComponent(p)}">${escapeHtml(p)}</a></li>`).join("");
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(`<!doctype html><title>dq reports</title><h1>dq reports</h1><ul>${items}</ul>`);
      return;
    }
    const file = join(dir, path);
    if (!PAGE.test(path) || !existsSync(file)) {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("no such report\n");
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    response.end(readFileSync(file));
  });
}
