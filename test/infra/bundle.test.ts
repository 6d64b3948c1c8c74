import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bundle,
  BundleError,
  bundleHandler,
  bundleHandlers,
  handlerArchive,
  handlerArchives,
} from "../../infra/bundle.ts";

const ENTRY = "test/infra/fixtures/hello-handler.ts";

describe("bundleHandler", () => {
  let bundle: Bundle;
  let dir: string;
  beforeAll(async () => {
    bundle = bundleHandler(ENTRY);
    dir = await mkdtemp(path.join(tmpdir(), "dq-bundle-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reports the module's exports", () => {
    expect(bundle.exports).toEqual(["handler"]);
  });

  it("produces one self-contained ES module that runs on Node 22 with its dependencies inside", async () => {
    const file = path.join(dir, "index.mjs");
    await writeFile(file, bundle.code);

    const module = (await import(pathToFileURL(file).href)) as {
      handler: (event: { name: string }) => Promise<unknown>;
    };

    expect(await module.handler({ name: "dq" })).toEqual({
      greeting: "hello dq (cold-start)",
      source: "dq.monitor",
      sdk: "function",
    });
  });

  it("minifies by default", () => {
    expect(bundle.code.length).toBeLessThan(bundleHandler(ENTRY, { minify: false }).code.length);
  });

  it("maps the bundle back to the repository's sources", () => {
    const map = JSON.parse(bundle.sourceMap) as { version: number; sources: string[]; mappings: string };

    expect(map.version).toBe(3);
    expect(map.sources.some((s) => s.endsWith("test/infra/fixtures/hello-handler.ts"))).toBe(true);
    expect(map.mappings.length).toBeGreaterThan(0);
  });

  it("lets Node report a failure at its TypeScript source line", async () => {
    const failing = bundleHandler("test/infra/fixtures/throwing-handler.ts");
    const sub = await mkdtemp(path.join(dir, "throwing-"));
    await writeFile(path.join(sub, "index.mjs"), failing.code);
    await writeFile(path.join(sub, "index.mjs.map"), failing.sourceMap);
    const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(sub, "index.mjs")).href)}); await m.handler();`;

    const run = promisify(execFile)(process.execPath, ["--enable-source-maps", "--input-type=module", "-e", script]);

    await expect(run).rejects.toMatchObject({ stderr: expect.stringMatching(/throwing-handler\.ts:3/) });
  });

  it("names an entry that does not exist", () => {
    expect(() => bundleHandler("test/infra/fixtures/missing.ts")).toThrow(
      expect.objectContaining({ name: "BundleError", entries: ["test/infra/fixtures/missing.ts"] }),
    );
  });

  it("names the entries and esbuild's reason when an import cannot be resolved", () => {
    expect(() => bundleHandler("test/infra/fixtures/broken-import.ts")).toThrow(
      /cannot bundle test\/infra\/fixtures\/broken-import\.ts: .*broken-import\.ts:\d+: Could not resolve "\.\/nowhere\.ts"/,
    );
  });
});

describe("bundleHandlers", () => {
  it("bundles several entries in one run, each on its own", () => {
    const bundles = bundleHandlers([ENTRY, "test/infra/fixtures/no-handler.ts"], { minify: false });

    expect(bundles.get(ENTRY)?.exports).toEqual(["handler"]);
    expect(bundles.get("test/infra/fixtures/no-handler.ts")?.exports).toEqual(["main"]);
    expect(bundles.get("test/infra/fixtures/no-handler.ts")?.code).not.toContain("SSMClient");
  });

  it("points each module at its source map by the archive's file name", () => {
    const bundles = bundleHandlers([ENTRY, "test/infra/fixtures/no-handler.ts"]);

    for (const bundle of bundles.values())
      expect(bundle.code.slice(-100)).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
  });
});

describe("handlerArchive", () => {
  it("ships the module and its source map", async () => {
    const archives = handlerArchives([ENTRY]);

    expect(Object.keys(await (archives.get(ENTRY)?.assets ?? {})).sort()).toEqual(["index.mjs", "index.mjs.map"]);
  });

  it("refuses a bundle that does not export handler", () => {
    const entry = "test/infra/fixtures/no-handler.ts";
    const bundle = { code: "export const main = 1;", sourceMap: "{}", exports: ["main"] };

    expect(() => handlerArchive(entry, bundle)).toThrow(BundleError);
    expect(() => handlerArchive(entry, bundle)).toThrow(/exports \["main"\], not "handler"/);
  });
});
