import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createDatalake } from "../app/adapters/datalake/create-datalake.ts";
import { TwelveDataClient } from "../app/adapters/twelvedata/client.ts";
import { loadProfile } from "../app/config/load-profile.ts";
import { profileSettings } from "../app/config/profile-settings.ts";
import { sessionReport } from "../app/report/session-report.ts";
import type { LocalStack } from "./stack.ts";

export interface DemoReportOptions {
  creditsPerWindow: number;
  windowSeconds: number;
  /** @default .dq/reports (DQ_HOME/reports) */
  dir?: string;
}

/**
 * The demo session's report page, its charts drawn against the stack's Twelve Data emulator (after the session, so
 * it never competes with it for credits: one window's wait, then requests paced at the plan). Returns its path.
 */
export async function writeDemoReport(
  stack: LocalStack,
  sessionId: string,
  options: DemoReportOptions,
): Promise<string> {
  const { session, results } = await stack.runtime.operations.allResults(sessionId);
  const emulator = stack.emulator;
  let provider: TwelveDataClient | undefined;
  if (emulator) {
    await new Promise((r) => setTimeout(r, options.windowSeconds * 1000 + 100));
    provider = new TwelveDataClient({
      baseUrl: emulator.url,
      apiKey: "demo",
      creditsPerWindow: options.creditsPerWindow,
      windowSeconds: options.windowSeconds,
    });
  }
  const { html } = await sessionReport({
    session,
    results,
    datalake: createDatalake({
      uriTemplate: session.params.datalake,
      ...profileSettings(loadProfile().profile).datalake,
    }),
    provider,
  });
  const dir = resolve(options.dir ?? join(process.env.DQ_HOME ?? ".dq", "reports"));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${session.sessionId}.html`);
  writeFileSync(file, html);
  return file;
}
