import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSyntheticMarket } from "../../local/market/synthetic-market.ts";
import { generateSampleDatalake, type SampleDatalake } from "../../local/sample-datalake/index.ts";
import { startTwelveDataEmulator, type TwelveDataEmulator } from "../../local/twelvedata/emulator.ts";

/**
 * Friday 2026-01-09, 21:30 UTC: after that day's New York close (16:00 EST), so its bar is complete; and before every
 * instant the pinned-clock matrix moves the machine's clock to, so an as-of is never in the machine's future.
 */
export const AS_OF = "2026-01-09T21:30:00Z";

/** The plan the CLI tests run at: the Basic plan's 8 credits, with the window scaled down to 2 s. */
export const PLAN = { creditsPerMinute: 8, windowSeconds: 2 } as const;

/** The CLI's environment for that plan. */
export const PLAN_ENV = {
  DQ_CREDITS_PER_MINUTE: String(PLAN.creditsPerMinute),
  DQ_CREDIT_WINDOW_SECONDS: String(PLAN.windowSeconds),
  DQ_CREDITS_PER_DAY: "none",
} as const;

export const market = createSyntheticMarket();

/** The sample datalake (one injected defect per check) as a snapshot taken at AS_OF. */
export function sampleDatalake(): Promise<SampleDatalake> {
  return generateSampleDatalake({
    dir: mkdtempSync(join(tmpdir(), "dq-cli-lake-")),
    market,
    asOf: new Date(AS_OF),
  });
}

/**
 * The Twelve Data emulator at the plan, strict (rolling window), whose clock starts at AS_OF and runs at real speed:
 * its windows roll as the CLI's timers do, and what it serves never depends on today's date.
 */
export function startPinnedEmulator(): Promise<TwelveDataEmulator> {
  const offset = Date.parse(AS_OF) - Date.now();
  return startTwelveDataEmulator({
    market,
    creditsPerMinute: PLAN.creditsPerMinute,
    windowSeconds: PLAN.windowSeconds,
    creditsPerDay: null,
    windowMode: "rolling",
    clock: () => Date.now() + offset,
  });
}

/** Spends `credits` of the emulator's window with the key, as another program sharing it would. */
export async function spendAsAnotherProgram(emulator: TwelveDataEmulator, credits: number): Promise<number> {
  const symbols = market.symbols().slice(-credits).join(",");
  const url = `${emulator.url}/time_series?symbol=${encodeURIComponent(symbols)}&interval=1day&outputsize=1&apikey=demo`;
  return (await fetch(url)).status;
}

/**
 * A proxy in front of the emulator where another program sharing the key spends a whole window right before the
 * `nth` request that comes through it (1-based): that request finds the window spent, whatever the timing.
 */
export async function startSharedKeyProxy(
  emulator: TwelveDataEmulator,
  nth: number,
): Promise<{ url: string; close(): Promise<void> }> {
  let requests = 0;
  const server = createServer((request, response) => {
    void (async () => {
      if ((request.url ?? "").startsWith("/time_series") && ++requests === nth)
        await spendAsAnotherProgram(emulator, PLAN.creditsPerMinute);
      const headers: Record<string, string> = {};
      if (request.headers.authorization) headers.authorization = request.headers.authorization;
      const answer = await fetch(`${emulator.url}${request.url ?? "/"}`, { headers });
      const forwarded: Record<string, string> = {};
      for (const name of ["content-type", "api-credits-used", "api-credits-left"]) {
        const value = answer.headers.get(name);
        if (value !== null) forwarded[name] = value;
      }
      response.writeHead(answer.status, forwarded).end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
