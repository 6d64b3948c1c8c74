import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's chromium, installed by scripts/install-chromium.sh (run by .ci/run before the tests). */
export const CHROMIUM = "/usr/bin/chromium";

/** The browser tests run wherever the tests run: without chromium they fail with what to do, never skip. */
function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is absent: run scripts/install-chromium.sh (as root) before npm test`);
}

/** A headless chromium with a fresh profile, that reaches nothing beyond what the page asks for. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  requireChromium();
  // playwright takes the profile directory itself (it refuses --user-data-dir among the args).
  const userDataDir = mkdtempSync(join(tmpdir(), "dq-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
