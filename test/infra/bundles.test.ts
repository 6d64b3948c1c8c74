import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS, type FunctionName } from "../../app/wiring.ts";
import { type WrittenBundle, writeBundles } from "../../infra/bundle.ts";

// Every function the stack deploys must bundle from app/handlers and export the handler Lambda calls. Reading
// esbuild's metafile instead of importing the bundles keeps the handlers' import-time work out of this test
// (test/local/deployed-bundles.test.ts runs them).
describe("the handler bundles", () => {
  let outdir: string;
  let bundles: Map<string, WrittenBundle>;
  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), "dq-bundles-"));
    bundles = writeBundles(Object.fromEntries(Object.entries(FUNCTIONS).map(([n, f]) => [n, f.entry])), { outdir });
  });
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });

  it.each(Object.entries(FUNCTIONS).map(([name, f]) => [name, f.entry] as const))(
    "bundles %s from %s and exports handler",
    (name) => {
      expect(bundles.get(name)?.exports).toContain("handler");
    },
  );

  // The report step reads three files at run time; only the function that draws reports carries them.
  it("ships the report's chart library, resvg's WebAssembly and the font with the notifier alone", () => {
    expect(Object.keys(bundles.get("notifier")?.assets ?? {}).sort()).toEqual([
      "DejaVuSans.ttf",
      "echarts.min.js",
      "resvg.wasm",
    ]);
    for (const name of Object.keys(FUNCTIONS).filter((n) => n !== "notifier"))
      expect(bundles.get(name)?.assets, name).toEqual({});
  });

  // Lambda refuses a zipped package above 50 MB and an unzipped one above 250 MB; dq's are far below, and a
  // bundle that suddenly grows tenfold (a dependency pulled in whole) should be noticed.
  it.each(Object.keys(FUNCTIONS) as FunctionName[])("keeps %s below 5 MB", (name) => {
    expect(bundles.get(name)?.bytes).toBeLessThan(5_000_000);
  });
});
