import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const PACER = fileURLToPath(new URL("../../../app/adapters/twelvedata/credit-pacer.ts", import.meta.url));

/**
 * Runs a script in a process of its own: vitest keeps its own event loop busy, so whether a pacer keeps a process
 * alive can only be seen from outside.
 */
function runScript(body: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const script = `import { CreditPacer, createCreditLimiter } from ${JSON.stringify(PACER)};\n${body}`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      "--disable-warning=ExperimentalWarning",
      "--input-type=module",
      "-e",
      script,
    ]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe("CreditPacer and the process's life", () => {
  it("keeps a process alive while a request waits for the next window's credits", async () => {
    const out = await runScript(`
      const pacer = new CreditPacer(createCreditLimiter(2), 2, 400);
      const send = (n) => async () => { process.stdout.write("sent " + n + "\\n"); };
      // Nothing but the pacer's give-back timer is pending while the second request waits.
      await pacer.run(2, send(1));
      await pacer.run(2, send(2));
      process.stdout.write("done\\n");
    `);

    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe("sent 1\nsent 2\ndone\n");
    expect(out.ms).toBeGreaterThanOrEqual(400);
  });

  it("lets an idle process exit without waiting for its credits to come back", async () => {
    const out = await runScript(`
      const pacer = new CreditPacer(createCreditLimiter(2), 2, 10_000);
      await pacer.run(1, async () => undefined);
      await Promise.all([pacer.run(1, async () => undefined)]);
      process.stdout.write("done\\n");
    `);

    expect(out.code).toBe(0);
    expect(out.stdout).toBe("done\n");
    // The give-backs are due 10 s later: the process did not wait for them.
    expect(out.ms).toBeLessThan(8_000);
  });

  it("keeps it alive through several queued requests, then lets it exit", async () => {
    const out = await runScript(`
      const pacer = new CreditPacer(createCreditLimiter(1), 1, 300);
      const sent = [];
      await Promise.all([1, 2, 3].map((n) => pacer.run(1, async () => { sent.push(n); })));
      process.stdout.write(sent.join(",") + "\\n");
    `);

    expect(out.code).toBe(0);
    expect(out.stdout).toBe("1,2,3\n");
  });
});
