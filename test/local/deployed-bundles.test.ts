import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CoordinatorResult } from "../../app/handlers/coordinator.ts";
import type { SessionRecord } from "../../app/pipeline/model.ts";
import { FUNCTIONS, type FunctionName } from "../../app/wiring.ts";
import { writeBundles } from "../../infra/bundle.ts";
import { WITHOUT_SOURCE_MAPS } from "../../infra/environment.ts";
import { BundledFunctionError, startBundledFunctions } from "../../local/bundled-functions.ts";
import { compareWithLabels } from "../../local/labels.ts";
import { createSyntheticMarket } from "../../local/market/synthetic-market.ts";
import { generateSampleDatalake, type SampleDatalake } from "../../local/sample-datalake/index.ts";
import { LOCAL_SLACK } from "../../local/slack/local-slack.ts";
import { type LocalStack, startLocalStack } from "../../local/stack.ts";
import { testStartInstant } from "../helpers/pinned-clock.ts";

// The deployed bundles, run locally: the very files `pulumi up` uploads (built by infra's writeBundles, with the
// same options), each loaded by Node in a process of its own, run one whole session on the local stack. A bundling
// mistake (a dynamic import, a missing dependency, a handler path) fails here instead of after a deploy.
//
// The stack runs on the real clock (the bundles read the system time, as Lambda's do), but the session checks the
// market as of the pinned test start, so what it finds never depends on today's date.

const SYMBOLS = 24;

let outdir: string;
let datalakeDir: string;
let sample: SampleDatalake;
let symbols: string[];
let stack: LocalStack;
let asOf: Date;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), "dq-bundles-"));
  writeBundles(
    Object.fromEntries(Object.entries(FUNCTIONS).map(([name, f]) => [name, f.entry])) as Record<FunctionName, string>,
    { outdir, withoutSourceMaps: WITHOUT_SOURCE_MAPS },
  );
  const market = createSyntheticMarket();
  asOf = new Date(testStartInstant());
  datalakeDir = mkdtempSync(join(tmpdir(), "dq-bundles-lake-"));
  sample = await generateSampleDatalake({ dir: datalakeDir, market, asOf, symbols: market.symbols() });
  const defective = Object.keys(sample.labels).filter((s) => (sample.labels[s] ?? []).length > 0);
  const clean = market.symbols().filter((s) => !defective.includes(s));
  symbols = [...defective, ...clean.slice(0, Math.max(0, SYMBOLS - defective.length))].sort();
  stack = await startLocalStack({
    bundles: outdir,
    market,
    creditsPerMinute: 8,
    creditWindowSeconds: 1,
    creditsPerDay: null,
    datalake: sample.uriTemplate,
    visibilityTimeoutSeconds: 3,
    processorConcurrency: 4,
    dailySchedule: false,
    slack: {},
    reportsBucket: true,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  for (const dir of [outdir, datalakeDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

async function waitForFinal(sessionId: string, timeoutMs: number): Promise<SessionRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const session = await stack.runtime.ctx.store.getSession(sessionId);
    if (session && session.status !== "running" && session.finalEventAt) {
      await stack.eventBridge.idle();
      return session;
    }
    if (Date.now() > deadline) throw new Error(`session ${sessionId} still ${session?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The value once `probe` finds it (the notifier posts asynchronously, after the event's delivery). */
async function eventually<T>(probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the deployed bundles on the local stack", () => {
  it("load in processes of their own, each exporting the handler Lambda calls", () => {
    expect(Object.keys(stack.bundles?.importMs ?? {}).sort()).toEqual([
      "coordinator",
      "deadLetter",
      "notifier",
      "processor",
    ]);
  });

  it("run a whole session: every symbol checked, every injected defect found, no false alarm, no 429", async () => {
    const started = (await stack.functions.coordinator?.({
      datalake: sample.uriTemplate,
      asOf: asOf.toISOString(),
      symbols,
      lookbackDays: 10,
    })) as CoordinatorResult;
    if (started.status === "rejected") throw new Error(started.error);

    const session = await waitForFinal(started.sessionId, 90_000);

    const { results } = await stack.runtime.operations.allResults(started.sessionId);
    const comparison = compareWithLabels(results, sample.labels);
    expect(session.status).toBe("completed");
    expect(results.map((r) => r.symbol).sort()).toEqual(symbols);
    expect(results.filter((r) => r.status === "error")).toEqual([]);
    expect(comparison.missed).toEqual([]);
    expect(comparison.falseAlarms).toEqual([]);
    expect(stack.emulator?.counts()).toMatchObject({ rateLimited: 0, repeatedSymbols: [] });
    // Every step ran in the bundles: the start, each batch, and the notification of the outcome.
    expect(stack.bundles?.invocations.coordinator).toBe(1);
    expect(stack.bundles?.invocations.processor).toBeGreaterThanOrEqual(Math.ceil(symbols.length / 8));
    expect(stack.bundles?.invocations.notifier).toBeGreaterThanOrEqual(1);
    const summary = await eventually(() =>
      stack.slack?.fakeSlack.messages(LOCAL_SLACK.channel).find((m) => m.text.includes(started.sessionId)),
    );
    const failed = results.filter((r) => r.status === "fail").length;
    expect(summary.text).toContain(`${failed} of ${symbols.length} symbols failed`);

    // The notifier's report step, from the bundle: the chart library, resvg's WebAssembly and the font ship beside
    // its module (a Lambda has no node_modules and no fonts). The worst failures' charts and the page's link go to
    // the summary's thread, and the link opens the page.
    const thread = () => stack.slack?.fakeSlack.thread(LOCAL_SLACK.channel, summary.ts) ?? [];
    const link = await eventually(() => thread().find((m) => m.text.includes("Open the report page")), 30_000);
    // The link goes first, then the charts one by one.
    const withCharts = () => thread().filter((m) => (m.files ?? []).length > 0);
    const charts = await eventually(() => (withCharts().length >= Math.min(3, failed) ? withCharts() : undefined));
    expect(charts).toHaveLength(Math.min(3, failed));
    for (const chart of charts) {
      const png = stack.slack?.fakeSlack.file(chart.files?.[0]?.id ?? "")?.bytes;
      expect(png?.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(png?.length).toBeGreaterThan(20_000);
    }
    // The link goes through the Slack function's URL, which checks it and redirects to a pre-signed URL made at
    // the click: it outlives the credentials of the notifier that posted it.
    const url = new URL(link.text.match(/<([^|>]+)\|/)?.[1] ?? "");
    expect(url.pathname).toMatch(/^\/report\/\d{4}-\d{2}-\d{2}\//);
    const redirect = await fetch(url, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toContain("X-Amz-Expires=300");
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`dq report · ${started.sessionId}`);
    expect(html).toContain("echarts");
    // Each failing symbol's chart draws the reference the processor kept with its result: no credit spent.
    const data = JSON.parse(html.match(/<script type="application\/json" id="dq-data">(.*?)<\/script>/s)?.[1] ?? "{}");
    const charted = (data.failures as { symbol: string; chart: { reference: { close: (number | null)[] } } }[]) ?? [];
    expect(charted.length).toBeGreaterThan(0);
    for (const f of charted)
      expect(f.chart.reference.close.filter((v) => v !== null).length, f.symbol).toBeGreaterThan(0);
    const forged = new URL(url);
    forged.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 86_400));
    expect((await fetch(forged, { redirect: "manual" })).status).toBe(403);
  }, 120_000);
});

describe("a bundle that is not what Lambda expects", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "dq-bad-bundles-"));
    writeBundles(
      { coordinator: "test/infra/fixtures/no-handler.ts", processor: "test/infra/fixtures/throwing-handler.ts" },
      { outdir: dir },
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("fails to start, naming the function and why", async () => {
    await expect(startBundledFunctions({ dir, functions: ["coordinator"], env: process.env })).rejects.toThrow(
      /coordinator \(bundle\): Error: .*coordinator\/index\.mjs does not export a handler/,
    );
  });

  it("reports a handler's failure with its stack mapped to the TypeScript source", async () => {
    const bundled = await startBundledFunctions({ dir, functions: ["processor"], env: process.env });
    try {
      const failure = await bundled.functions.processor?.({}).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(BundledFunctionError);
      expect((failure as Error).stack).toMatch(/throwing-handler\.ts:3/);
    } finally {
      await bundled.stop();
    }
  });
});
