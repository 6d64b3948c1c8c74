import { reportAsset } from "./assets.ts";
import { chartOption } from "./chart-option.ts";
import { PAGE_SCRIPT } from "./page-script.ts";
import type { ReportFigures, ReportModel } from "./report-model.ts";

let echartsSource: string | undefined;

/** The charting library's browser build, inlined into every page (no external script: the page opens from disk). */
function echartsBrowserBuild(): string {
  echartsSource ??= reportAsset("echarts").toString("utf8");
  return echartsSource;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return "—";
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function figures(f: ReportFigures): string {
  const cells: [string, string, string?][] = [
    ["symbols", f.symbols.toLocaleString("en-US")],
    ["passed", f.passed.toLocaleString("en-US"), "pass"],
    ["failed", f.failed.toLocaleString("en-US"), "fail"],
    ["could not check", f.errored.toLocaleString("en-US"), "error"],
    ["credits", f.creditsUsed.toLocaleString("en-US")],
    ["duration", duration(f.durationMs)],
    ["as of", f.asOf.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC")],
  ];
  return cells
    .map(
      ([label, value, cls]) =>
        `<div class="fig${cls ? ` ${cls}` : ""}"><b>${esc(value)}</b><span>${label}</span></div>`,
    )
    .join("");
}

function byCheck(model: ReportModel): string {
  const groups = new Map<string, { severity: string; symbols: string[] }>();
  for (const f of model.failures)
    for (const issue of f.issues) {
      const g = groups.get(issue.code) ?? { severity: issue.severity, symbols: [] };
      if (g.symbols.at(-1) !== f.symbol) g.symbols.push(f.symbol);
      groups.set(issue.code, g);
    }
  if (groups.size === 0) return "<p>No failing symbol.</p>";
  const rows = [...groups]
    .sort((a, b) => b[1].symbols.length - a[1].symbols.length)
    .map(([code, g]) => {
      const shown = g.symbols
        .slice(0, 30)
        .map((s) => `<a href="#sym-${encodeURIComponent(s)}">${esc(s)}</a>`)
        .join(" ");
      const more = g.symbols.length > 30 ? ` … and ${g.symbols.length - 30} more` : "";
      return `<tr><td><code>${esc(code)}</code></td><td>${esc(g.severity)}</td><td>${g.symbols.length}</td><td>${shown}${more}</td></tr>`;
    });
  return `<table class="groups"><thead><tr><th>check</th><th>severity</th><th>symbols</th><th>failing symbols</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1c2833;background:#f7f9fa}
header,main{max-width:1200px;margin:0 auto;padding:12px 20px}
h1{font-size:20px;margin:8px 0 2px}h2{font-size:16px;margin:24px 0 8px}h3{font-size:15px;margin:0 0 6px}
.sub{color:#5d6d7e;font-size:12px}
.figs{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
.fig{background:#fff;border:1px solid #d5dbdb;border-radius:6px;padding:8px 14px;min-width:90px}
.fig b{display:block;font-size:20px}.fig span{color:#5d6d7e;font-size:12px}
.fig.fail b{color:#c0392b}.fig.pass b{color:#1e8449}.fig.error b{color:#b9770e}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border-bottom:1px solid #e5e8e8;padding:3px 8px;text-align:left;font-size:13px}
#symbols th{cursor:pointer;user-select:none;position:sticky;top:0;background:#eaeded}
#symbols th[aria-sort=ascending]::after{content:" ▲"}#symbols th[aria-sort=descending]::after{content:" ▼"}
.scroll{max-height:420px;overflow:auto;border:1px solid #d5dbdb}
tr.fail td:nth-child(2){color:#c0392b;font-weight:600}tr.error td:nth-child(2){color:#b9770e}
.controls{display:flex;gap:8px;align-items:center;margin-bottom:6px}
.failure{background:#fff;border:1px solid #d5dbdb;border-radius:6px;padding:10px;margin:10px 0;content-visibility:auto;contain-intrinsic-size:auto 330px}
.pair{display:flex;gap:12px;flex-wrap:wrap}.chart{flex:1 1 640px;height:300px;min-width:320px}
.issues{flex:0 1 380px;margin:0;padding-left:18px;font-size:13px}.issues li{margin-bottom:4px}
.issues li.error code{color:#c0392b}.issues li.warning code{color:#b9770e}.when{color:#5d6d7e}
`;

/**
 * The session's report: one self-contained HTML file (inline style, data, chart library and script; no request
 * leaves it), which opens from disk, an S3 link or `dq local`'s server.
 */
export function reportPage(model: ReportModel): string {
  const f = model.figures;
  const title = `dq report · ${f.sessionId}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${esc(title)}</h1>
<div class="sub">${esc(f.status)} · datalake ${esc(f.datalake)} · started ${esc(f.createdAt)} · generated ${esc(model.generatedAt)}</div>
<div class="figs">${figures(f)}</div></header>
<main>
<h2>Failures by check</h2>${byCheck(model)}
<h2>Every symbol</h2>
<div class="controls"><input id="filter" type="search" placeholder="filter: symbol or check" aria-label="filter">
<select id="status-filter" aria-label="status"><option value="">every status</option><option value="fail">fail</option><option value="error">could not check</option><option value="pass">pass</option></select>
<span id="shown" class="sub"></span></div>
<div class="scroll"><table id="symbols"><thead><tr><th>symbol</th><th aria-sort="ascending">status</th><th>issues</th><th>first issue</th><th>last bar</th><th>max diff %</th></tr></thead><tbody></tbody></table></div>
<h2>Failing symbols (${model.failures.length.toLocaleString("en-US")}, worst first)</h2>
<div id="failures"></div>
</main>
<script type="application/json" id="dq-data">${scriptJson(model)}</script>
<script>${echartsBrowserBuild()}</script>
<script>var __name=function(f){return f};(${PAGE_SCRIPT})(${chartOption.toString()});</script>
</body></html>
`;
}
