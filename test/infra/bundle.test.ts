import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BundleError, handlerArchive, type WrittenBundle, writeBundles } from "../../infra/bundle.ts";

const HELLO = "test/infra/fixtures/hello-handler.ts";
const THROWING = "test/infra/fixtures/throwing-handler.ts";
const NO_HANDLER = "test/infra/fixtures/no-handler.ts";

let outdir: string;
beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), "dq-bundle-"));
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe("writeBundles", () => {
  let bundles: Map<string, WrittenBundle>;
  beforeAll(() => {
    bundles = writeBundles({ hello: HELLO, throwing: THROWING, other: NO_HANDLER }, { outdir });
  });
  const hello = () => bundles.get("hello") as WrittenBundle;

  it("writes each function to <outdir>/<name>/ as index.mjs and its source map, nothing else", () => {
    expect(hello().dir).toBe(path.join(outdir, "hello"));
    expect(readdirSync(hello().dir).sort()).toEqual(["index.mjs", "index.mjs.map"]);
    expect(hello().bytes).toBe(readFileSync(hello().file).byteLength);
    expect(hello().sourceMapBytes).toBe(readFileSync(`${hello().file}.map`).byteLength);
  });

  it("reports each module's exports", () => {
    expect(hello().exports).toEqual(["handler"]);
    expect(bundles.get("other")?.exports).toEqual(["main"]);
  });

  it("produces one self-contained ES module that runs on Node 22 with its dependencies inside", async () => {
    const module = (await import(pathToFileURL(hello().file).href)) as {
      handler: (event: { name: string }) => Promise<unknown>;
    };

    expect(await module.handler({ name: "dq" })).toEqual({
      greeting: "hello dq (cold-start)",
      source: "dq.monitor",
      sdk: "function",
    });
  });

  it("bundles each entry on its own: a module gets only what it imports", () => {
    expect(readFileSync(bundles.get("other")?.file as string, "utf8")).not.toContain("SSMClient");
  });

  it("minifies by default", () => {
    const plain = writeBundles({ hello: HELLO }, { outdir: path.join(outdir, "plain"), minify: false });

    expect(hello().bytes).toBeLessThan(plain.get("hello")?.bytes as number);
  });

  it("maps the bundle back to the repository's sources, by the archive's file name", () => {
    const map = JSON.parse(readFileSync(`${hello().file}.map`, "utf8")) as { sources: string[]; mappings: string };

    expect(map.sources.some((s) => s.endsWith("test/infra/fixtures/hello-handler.ts"))).toBe(true);
    expect(map.mappings.length).toBeGreaterThan(0);
    expect(readFileSync(hello().file, "utf8").slice(-100)).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
  });

  it("lets Node report a failure at its TypeScript source line", async () => {
    const file = bundles.get("throwing")?.file as string;
    const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); await m.handler();`;

    const run = promisify(execFile)(process.execPath, ["--enable-source-maps", "--input-type=module", "-e", script]);

    await expect(run).rejects.toMatchObject({ stderr: expect.stringMatching(/throwing-handler\.ts:3/) });
  });

  it("leaves the source map out for the functions named", () => {
    const lean = writeBundles({ hello: HELLO }, { outdir: path.join(outdir, "lean"), withoutSourceMaps: ["hello"] });
    const bundle = lean.get("hello") as WrittenBundle;

    expect(readdirSync(bundle.dir)).toEqual(["index.mjs"]);
    expect(bundle.sourceMapBytes).toBe(0);
    expect(readFileSync(bundle.file, "utf8")).not.toContain("sourceMappingURL");
  });

  it("replaces a function's directory whole, so no stale file ships with it", () => {
    const dir = path.join(outdir, "again");
    writeBundles({ hello: HELLO }, { outdir: dir });
    writeFileSync(path.join(dir, "hello", "stale.mjs"), "export {}");

    writeBundles({ hello: HELLO }, { outdir: dir });

    expect(readdirSync(path.join(dir, "hello")).sort()).toEqual(["index.mjs", "index.mjs.map"]);
    expect(readdirSync(dir)).toEqual(["hello"]);
  });

  it("names an entry that does not exist", () => {
    expect(() => writeBundles({ missing: "test/infra/fixtures/missing.ts" }, { outdir })).toThrow(
      expect.objectContaining({ name: "BundleError", entries: ["test/infra/fixtures/missing.ts"] }),
    );
  });

  it("names the entries and esbuild's reason when an import cannot be resolved", () => {
    expect(() => writeBundles({ broken: "test/infra/fixtures/broken-import.ts" }, { outdir })).toThrow(
      /cannot bundle test\/infra\/fixtures\/broken-import\.ts: .*broken-import\.ts:\d+: Could not resolve "\.\/nowhere\.ts"/,
    );
  });
});

describe("handlerArchive", () => {
  const bundle = (dir: string, exports = ["handler"]): WrittenBundle => ({
    entry: HELLO,
    dir,
    file: path.join(dir, "index.mjs"),
    exports,
    bytes: 1,
    sourceMapBytes: 0,
    assets: {},
  });

  it("is the bundle's directory by path, so the state holds a path and a hash, never the code", async () => {
    const archive = handlerArchive(bundle("/repo/dist/lambda/processor"), "/repo");

    expect(archive).toBeInstanceOf(pulumi.asset.FileArchive);
    expect(await archive.path).toBe("dist/lambda/processor");
  });

  it("keeps an absolute path for a bundle outside the working directory", async () => {
    expect(await handlerArchive(bundle("/tmp/x/processor"), "/repo").path).toBe("/tmp/x/processor");
  });

  it("refuses a bundle that does not export handler", () => {
    const lacking = bundle("/repo/dist/lambda/other", ["main"]);

    expect(() => handlerArchive(lacking, "/repo")).toThrow(BundleError);
    expect(() => handlerArchive(lacking, "/repo")).toThrow(/exports \["main"\], not "handler"/);
  });
});
