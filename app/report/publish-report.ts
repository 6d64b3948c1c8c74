import type { Datalake, ReferenceProvider } from "../domain/ports.ts";
import type { SessionRecord, StoredResult } from "../pipeline/model.ts";
import { chartPng } from "./chart-png.ts";
import { type ChartPoster, type ReportStore, reportKey } from "./ports.ts";
import { sessionReport } from "./session-report.ts";

export interface PublishReportOptions {
  session: SessionRecord;
  results: readonly StoredResult[];
  datalake: Datalake;
  provider?: ReferenceProvider;
  store: ReportStore;
  /** How long the link opens the page. @default 604800 (7 days, S3's longest for a pre-signed link) */
  linkSeconds?: number;
  /** The page's link from its key, instead of the store's (a signed report link: see report-link.ts). */
  link?: (key: string, expiresInSeconds: number) => string;
  /** Failing symbols charted on the page with their series. @default 50 */
  charts?: number;
  /** Where the worst failures' PNG charts go: the summary's thread. Absent: no image is posted. */
  thread?: { poster: ChartPoster; channel: string; ts: string };
  /** PNG charts posted in the thread, worst failures first. @default 3 */
  images?: number;
  /** Posts the page's link (in the thread), before any chart: a function out of time still leaves the link. */
  announce?: (url: string) => Promise<void>;
  /** No chart is started past this instant (ms): the link is out already, and the function's time is not. */
  chartsUntil?: () => number;
}

export interface PublishedReport {
  key: string;
  url: string;
  /** Symbols whose chart was posted in the thread. */
  posted: string[];
}

/**
 * When a session ends: its report page written to the store and a link to it, then the few worst failures' charts
 * posted as PNGs in the summary's thread. A chart that fails to post does not take the others (or the link) down.
 */
export async function publishReport(options: PublishReportOptions): Promise<PublishedReport> {
  const { html, model } = await sessionReport({
    session: options.session,
    results: options.results,
    datalake: options.datalake,
    provider: options.provider,
    charts: options.charts,
  });
  const key = reportKey(options.session.sessionId, options.session.createdAt);
  await options.store.put(key, html);
  const seconds = options.linkSeconds ?? 604_800;
  const url = options.link ? options.link(key, seconds) : await options.store.link(key, seconds);
  await options.announce?.(url);
  const posted: string[] = [];
  const thread = options.thread;
  if (thread) {
    for (const failure of model.failures.slice(0, options.images ?? 3)) {
      if (options.chartsUntil && Date.now() > options.chartsUntil()) break;
      const codes = [...new Set(failure.issues.map((i) => i.code))].join(", ");
      try {
        await thread.poster.upload({
          channel: thread.channel,
          threadTs: thread.ts,
          png: await chartPng(failure.chart),
          filename: `${failure.symbol}-close.png`,
          title: `${failure.symbol}: ${codes}`,
          altText: `${failure.symbol} close, datalake against reference, ${codes} marked`,
        });
        posted.push(failure.symbol);
      } catch {
        // The next chart may still go (a rate limit passes); the summary already names every failure.
      }
    }
  }
  return { key, url, posted };
}
