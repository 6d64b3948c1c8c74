import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { buildSync, type Message } from "esbuild";

/** Handler entries that esbuild could not bundle. */
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
  /** @default true */
  minify?: boolean;
}

export interface Bundle {
  /** The ES module Lambda loads as `index.mjs`. */
  code: string;
  /** Its source map, `index.mjs.map`, read by Node with --enable-source-maps. */
  sourceMap: string;
  /** Names the module exports. */
  exports: string[];
}

/** The file name inside the archive and the handler setting that points at its `handler` export. */
export const BUNDLE_FILE = "index.mjs";
export const LAMBDA_HANDLER = "index.handler";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

// ESM output can use top-level await (secrets are read once, at cold start). CommonJS dependencies that call
// require() at run time need a real require inside an ES module.
const requireShim =
  'import { createRequire as __dqCreateRequire } from "node:module";\n' +
  "const require = __dqCreateRequire(import.meta.url);";

/**
 * Bundles handler entries, each into a single minified ES module for nodejs22.x on arm64, in one esbuild run
 * (the entries share most of their dependencies, so one run parses them once). The AWS SDK is bundled, not
 * left to the runtime's copy: the versions that run are the ones the tests ran, and tree-shaking keeps cold
 * starts short.
 */
export function bundleHandlers(entries: readonly string[], options: BundleOptions = {}): Map<string, Bundle> {
  const root = options.root ?? repositoryRoot;
  const unique = [...new Set(entries)];
  const missing = unique.filter((entry) => !existsSync(path.resolve(root, entry)));
  if (missing.length > 0) throw new BundleError(missing, `no such file under ${root}`);
  // Never written: the directory only gives the outputs and their source maps stable relative paths.
  const outdir = path.join(root, ".dq", "bundle");
  let result: ReturnType<typeof buildSync<{ metafile: true; write: false }>>;
  try {
    result = buildSync({
      absWorkingDir: root,
      entryPoints: unique,
      outdir,
      outbase: root,
      // Every output is <entry dir>/<entry name>/index.mjs, so its sourceMappingURL is index.mjs.map.
      entryNames: "[dir]/[name]/index",
      outExtension: { ".js": ".mjs" },
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      target: "node22",
      format: "esm",
      mainFields: ["module", "main"],
      minify: options.minify ?? true,
      // "linked" writes the sourceMappingURL comment that Node follows; "external" would leave it out.
      sourcemap: "linked",
      sourcesContent: false,
      legalComments: "none",
      logLevel: "silent",
      banner: { js: requireShim },
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    const detail = errors.length > 0 ? errors.map(formatMessage).join("; ") : String(error);
    throw new BundleError(unique, detail, { cause: error });
  }
  const files = new Map(result.outputFiles.map((f) => [f.path, f.text]));
  const bundles = new Map<string, Bundle>();
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (meta.entryPoint === undefined) continue;
    const file = path.resolve(root, output);
    const code = files.get(file);
    const sourceMap = files.get(`${file}.map`);
    if (code === undefined || sourceMap === undefined) {
      throw new BundleError([meta.entryPoint], "esbuild produced no module or no source map");
    }
    bundles.set(meta.entryPoint, { code, sourceMap, exports: meta.exports });
  }
  for (const entry of unique) {
    if (!bundles.has(path.normalize(entry))) throw new BundleError([entry], "esbuild produced no output for it");
  }
  return new Map(unique.map((entry) => [entry, bundles.get(path.normalize(entry)) as Bundle]));
}

/** Bundles one handler entry; see bundleHandlers. */
export function bundleHandler(entry: string, options?: BundleOptions): Bundle {
  return bundleHandlers([entry], options).get(entry) as Bundle;
}

function formatMessage(m: Message): string {
  return m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text;
}

/** A bundle as the archive a Lambda function deploys. Throws BundleError unless it exports `handler`. */
export function handlerArchive(entry: string, bundle: Bundle): pulumi.asset.AssetArchive {
  if (!bundle.exports.includes("handler")) {
    throw new BundleError([entry], `exports ${JSON.stringify(bundle.exports)}, not "handler"`);
  }
  return new pulumi.asset.AssetArchive({
    [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundle.code),
    [`${BUNDLE_FILE}.map`]: new pulumi.asset.StringAsset(bundle.sourceMap),
  });
}

/** The deployment archive of every entry, bundled together. */
export function handlerArchives(
  entries: readonly string[],
  options?: BundleOptions,
): Map<string, pulumi.asset.AssetArchive> {
  const bundles = bundleHandlers(entries, options);
  return new Map([...bundles].map(([entry, bundle]) => [entry, handlerArchive(entry, bundle)]));
}
