import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

export interface RunningMoto {
  /** http://127.0.0.1:<port>: every AWS service moto serves. */
  endpoint: string;
  stop(): Promise<void>;
}

/** Why moto cannot run here, or undefined when `moto_server` is on the PATH. */
function motoMissing(): string | undefined {
  const probe = spawnSync("moto_server", ["--help"], { stdio: "ignore" });
  return probe.error || probe.status !== 0 ? "moto_server is not installed (pip install 'moto[server]')" : undefined;
}

/**
 * moto_server (the Python AWS emulator) on a free loopback port, as a second emulator for the adapters' contract
 * tests: an adapter that passes on dynalite, fauxqs and the shims but not on moto leans on an emulator's quirk.
 */
export async function startMoto(): Promise<RunningMoto> {
  // The machines this project runs on have moto; a contract suite that quietly did not run would prove nothing.
  const missing = motoMissing();
  if (missing) throw new Error(missing);
  const port = await freePort();
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok || response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("moto_server did not answer within 20 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
