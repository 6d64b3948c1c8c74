import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportPage } from "../../app/report/report-page.ts";
import { largeReportModel } from "../../bench/report-fixture.ts";
import { launchChromium } from "../helpers/chromium.ts";
import { type SampleReport, sampleReport } from "../helpers/sample-report.ts";

describe("the report page in chromium", () => {
  let report: SampleReport;
  let context: BrowserContext;
  let close: () => Promise<void>;
  let page: Page;
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "dq-report-page-"));

  beforeAll(async () => {
    report = await sampleReport();
    const file = join(dir, "report.html");
    writeFileSync(file, reportPage(report.model));
    ({ context, close } = await launchChromium());
    page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    // A self-contained page asks for nothing: any request beyond the file itself is a fault.
    page.on("request", (r) => {
      if (!r.url().startsWith("file://")) problems.push(`request to ${r.url()}`);
    });
    await page.goto(`file://${file}`);
    await page.waitForSelector("body[data-ready=true]");
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  it("shows the session's figures and every symbol, with no console error", async () => {
    const figures = await page.locator(".fig").allInnerTexts();
    expect(figures.join(" | ")).toContain(`${report.results.length}\nsymbols`);
    expect(await page.locator("#symbols tbody tr").count()).toBe(report.results.length);
    expect(problems).toEqual([]);
  });

  it("draws a chart for every failing symbol, with each issue's dates marked", async () => {
    const failing = report.model.failures;
    expect(failing.length).toBeGreaterThanOrEqual(8);
    for (const [index, failure] of failing.entries()) {
      const chart = page.locator(`.chart[data-index="${index}"]`);
      await chart.scrollIntoViewIfNeeded();
      await page.waitForSelector(`.chart[data-index="${index}"][data-rendered=close] svg`);
      // In the page: what the chart instance was given, and what it drew.
      const drawn = await chart.evaluate((el) => {
        type Mark = { xAxis: string };
        type Option = { series: { markLine?: { data: Mark[] }; markArea?: { data: Mark[][] } }[] };
        const page = globalThis as unknown as { echarts: { getInstanceByDom(e: unknown): { getOption(): Option } } };
        const first = page.echarts.getInstanceByDom(el).getOption().series[0];
        return {
          lines: (first?.markLine?.data ?? []).map((d) => d.xAxis),
          bands: (first?.markArea?.data ?? []).map((d) => `${d[0]?.xAxis}..${d[1]?.xAxis}`),
          paths: el.querySelectorAll("svg path").length,
        };
      });
      const expected = failure.chart.marks;
      expect(drawn.lines.sort(), failure.symbol).toEqual(
        expected
          .filter((m) => m.from === m.to)
          .map((m) => m.from)
          .sort(),
      );
      expect(drawn.bands.sort(), failure.symbol).toEqual(
        expected
          .filter((m) => m.from !== m.to)
          .map((m) => `${m.from}..${m.to}`)
          .sort(),
      );
      expect(drawn.paths, failure.symbol).toBeGreaterThan(3);
      // The issues are described beside the chart.
      const described = await page.locator(`#sym-${encodeURIComponent(failure.symbol)} .issues li`).count();
      expect(described, failure.symbol).toBe(failure.issues.length);
    }
    expect(problems).toEqual([]);
  });

  it("filters the table by symbol and by status", async () => {
    const failing = report.results.filter((r) => r.status === "fail");
    const one = failing[0]?.symbol ?? "";
    await page.fill("#filter", one);
    await expect
      .poll(() => page.locator("#symbols tbody tr").count())
      .toBe(report.results.filter((r) => r.symbol.toLowerCase().includes(one.toLowerCase())).length);
    await page.fill("#filter", "");
    await page.selectOption("#status-filter", "fail");
    await expect.poll(() => page.locator("#symbols tbody tr").count()).toBe(failing.length);
    expect(await page.locator("#shown").textContent()).toBe(`${failing.length} of ${report.results.length}`);
    await page.selectOption("#status-filter", "");
  });

  it("sorts the table by a column", async () => {
    await page.click("#symbols th:nth-child(1)");
    const symbols = await page.locator("#symbols tbody tr td:first-child").allInnerTexts();
    expect(symbols).toEqual([...symbols].sort());
  });

  it("redraws a chart in another field and saves a screenshot", async () => {
    const section = page.locator(".failure").first();
    await section.locator("select.field").selectOption("volume");
    await page.waitForSelector('.chart[data-index="0"][data-rendered=volume] svg');
    await page.locator("h1").scrollIntoViewIfNeeded();
    const shot = await page.screenshot({ path: join(dir, "report.png"), fullPage: false });
    expect(shot.length).toBeGreaterThan(20_000);
    console.info(`report screenshot: ${join(dir, "report.png")}`);
    expect(problems).toEqual([]);
  });
});

describe("a report of 10,000 symbols with 1,000 failures", () => {
  it("stays under 10 MB and opens in chromium in seconds (figures printed; the bound is generous under load)", async () => {
    const html = reportPage(largeReportModel(10_000, 1_000));
    const bytes = Buffer.byteLength(html);
    const file = join(mkdtempSync(join(tmpdir(), "dq-report-large-")), "report.html");
    writeFileSync(file, html);
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const started = performance.now();
      await page.goto(`file://${file}`);
      await page.waitForSelector("body[data-ready=true]");
      const openMs = performance.now() - started;
      await page.locator('.chart[data-index="999"]').scrollIntoViewIfNeeded();
      await page.waitForSelector('.chart[data-index="999"][data-rendered=close] svg');
      // The table holds every symbol, drawn a page at a time as it scrolls.
      expect(await page.locator("#shown").textContent()).toBe("10000 of 10000");
      const first = await page.locator("#symbols tbody tr").count();
      await page.locator(".scroll").evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await expect.poll(() => page.locator("#symbols tbody tr").count()).toBeGreaterThan(first);
      console.info(
        `report of 10,000 symbols / 1,000 failures: ${(bytes / 1e6).toFixed(2)} MB, opened (table and 1,000 chart sections ready) in ${openMs.toFixed(0)} ms`,
      );
      expect(bytes).toBeLessThan(10_000_000);
      expect(errors).toEqual([]);
      // The goal is 3 s on an idle machine (measured and printed above); a loaded CI machine gets slack, not a flake.
      expect(openMs).toBeLessThan(15_000);
    } finally {
      await close();
    }
  }, 120_000);
});
