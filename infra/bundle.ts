import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { buildSync, type Message } from "esbuild";
import { BUNDLE, RUNTIME_ASSETS } from "../app/wiring.ts";

/** Handler entries that esbuild could not bundle, or a bundle that is not a Lambda handler. */
export class BundleError extends Error {
  override name = "BundleError";
  readonly entries: readonly string[];
  constructor(entries: readonly string[], detail: string, options?: { cause?: unknown }) {
    super(`cannot bundle ${entries.join(", ")}: ${detail}`, options);
    this.entries = entries;
  }
}

export interface BundleOptions {
  /** Directory that the entries are relative to. @default the repository root */
  root?: string;
  /** Where `<name>/index.mjs` are written. @default `<root>/dist/lambda` (BUNDLE.dir) */
  outdir?: string;
  /** @default true */
  minify?: boolean;
  /** Names whose bundle ships without a source map. @default none */
  withoutSourceMaps?: readonly string[];
}

/** One function's bundle, written to its own directory. */
export interface WrittenBundle {
  /** The entry module it was built from, relative to the root. */
  entry: string;
  /** The directory deployed as the function's archive: index.mjs and, unless left out, index.mjs.map. */
  dir: string;
  /** The module Lambda loads. */
  file: string;
  /** Names the module exports. */
  exports: string[];
  bytes: number;
  /** 0 without a source map. */
  sourceMapBytes: number;
  /** Files read at run time, shipped beside the module (app/wiring.ts RUNTIME_ASSETS): name → bytes. */
  assets: Record<string, number>;
}

/** The file name inside the archive and the handler setting that points at its `handler` export. */
export const BUNDLE_FILE = BUNDLE.file;
export const LAMBDA_HANDLER = BUNDLE.handler;

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

// ESM output can use top-level await (secrets are read once, at cold start). CommonJS dependencies that call
// require() at run time need a real require inside an ES module.
const requireShim =
  'import { createRequire as __dqCreateRequire } from "node:module";\n' +
  "const require = __dqCreateRequire(import.meta.url);";

/**
 * Bundles handler entries (name → entry module) in one esbuild run, each into a single minified ES module for
 * nodejs22.x on arm64, and writes each to `<outdir>/<name>/index.mjs` with its source map beside it. The entries
 * share most of their dependencies, so one run parses them once. The AWS SDK is bundled, not left to the
 * runtime's copy: the versions that run are the ones the tests ran, and tree-shaking keeps cold starts short.
 *
 * A function's directory is replaced as a whole, so nothing stale is ever deployed with it.
 */
export function writeBundles(
  entries: Readonly<Record<string, string>>,
  options: BundleOptions = {},
): Map<string, WrittenBundle> {
  const root = options.root ?? repositoryRoot;
  const outdir = path.resolve(root, options.outdir ?? BUNDLE.dir);
  const names = Object.keys(entries);
  const missing = [...new Set(Object.values(entries))].filter((entry) => !existsSync(path.resolve(root, entry)));
  if (missing.length > 0) throw new BundleError(missing, `no such file under ${root}`);
  const withoutMaps = new Set(options.withoutSourceMaps ?? []);
  const built = new Map<string, WrittenBundle>();
  // Two runs, because esbuild's source map setting is per run: with maps and without.
  for (const sourceMaps of [true, false]) {
    const group = names.filter((name) => withoutMaps.has(name) !== sourceMaps);
    if (group.length === 0) continue;
    for (const [name, bundle] of buildGroup(root, outdir, group, entries, options.minify ?? true, sourceMaps)) {
      built.set(name, bundle);
    }
  }
  return new Map(names.map((name) => [name, built.get(name) as WrittenBundle]));
}

function buildGroup(
  root: string,
  outdir: string,
  names: readonly string[],
  entries: Readonly<Record<string, string>>,
  minify: boolean,
  sourceMaps: boolean,
): Map<string, WrittenBundle> {
  const entryPoints = Object.fromEntries(names.map((name) => [`${name}/index`, entries[name] as string]));
  let result: ReturnType<typeof buildSync<{ metafile: true; write: false }>>;
  try {
    result = buildSync({
      absWorkingDir: root,
      entryPoints,
      outdir,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      target: "node22",
      format: "esm",
      mainFields: ["module", "main"],
      minify,
      // "linked" writes the sourceMappingURL comment that Node follows; "external" would leave it out.
      sourcemap: sourceMaps ? "linked" : false,
      sourcesContent: false,
      legalComments: "none",
      logLevel: "silent",
      banner: { js: requireShim },
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    const detail = errors.length > 0 ? errors.map(formatMessage).join("; ") : String(error);
    throw new BundleError(
      names.map((name) => entries[name] as string),
      detail,
      { cause: error },
    );
  }
  const files = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  const written = new Map<string, WrittenBundle>();
  for (const name of names) {
    const entry = entries[name] as string;
    const file = path.join(outdir, name, BUNDLE_FILE);
    const code = files.get(file);
    const map = files.get(`${file}.map`);
    const meta = result.metafile.outputs[path.relative(root, file).split(path.sep).join("/")];
    if (code === undefined || meta === undefined || (sourceMaps && map === undefined)) {
      throw new BundleError([entry], "esbuild produced no module or no source map for it");
    }
    const dir = path.dirname(file);
    const assets = Object.keys(meta.inputs).includes(RUNTIME_ASSETS.module) ? runtimeAssets(root, entry) : {};
    replaceDirectory(dir, { [BUNDLE_FILE]: code, ...(map ? { [`${BUNDLE_FILE}.map`]: map } : {}), ...assets });
    written.set(name, {
      entry,
      dir,
      file,
      exports: meta.exports,
      bytes: code.byteLength,
      sourceMapBytes: map?.byteLength ?? 0,
      assets: Object.fromEntries(Object.entries(assets).map(([name, bytes]) => [name, bytes.byteLength])),
    });
  }
  return written;
}

/** The files a bundled module reads at run time, from their npm packages as installed under the root. */
function runtimeAssets(root: string, entry: string): Record<string, Uint8Array> {
  const resolve = createRequire(path.join(root, "package.json")).resolve;
  const out: Record<string, Uint8Array> = {};
  for (const { file, from } of Object.values(RUNTIME_ASSETS.files)) {
    try {
      out[file] = readFileSync(resolve(from));
    } catch (error) {
      throw new BundleError([entry], `it reads ${from} at run time, which is not installed: run npm ci`, {
        cause: error,
      });
    }
  }
  return out;
}

/** Writes the files into a fresh sibling directory, then swaps it in, so a reader never sees half a bundle. */
function replaceDirectory(dir: string, contents: Record<string, Uint8Array>): void {
  const staging = `${dir}.staging-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  mkdirSync(staging, { recursive: true });
  try {
    for (const [file, bytes] of Object.entries(contents)) writeFileSync(path.join(staging, file), bytes);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function formatMessage(m: Message): string {
  return m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text;
}

/**
 * A written bundle as the archive a Lambda function deploys: the directory, by path. Pulumi's state then holds the
 * path and a hash of the files, not their text. The path is relative to the working directory (the project
 * directory when Pulumi runs the program) whenever the bundle lies below it, so the state does not change with
 * the machine that deploys. Throws BundleError unless the module exports `handler`.
 */
export function handlerArchive(bundle: WrittenBundle, cwd = process.cwd()): pulumi.asset.FileArchive {
  if (!bundle.exports.includes("handler")) {
    throw new BundleError([bundle.entry], `exports ${JSON.stringify(bundle.exports)}, not "handler"`);
  }
  const relative = path.relative(cwd, bundle.dir);
  const below = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  return new pulumi.asset.FileArchive(below ? relative.split(path.sep).join("/") : bundle.dir);
}
