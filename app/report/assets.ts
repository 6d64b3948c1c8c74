import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { RUNTIME_ASSETS } from "../wiring.ts";

/** The files the report reads at run time (app/wiring.ts says why each is not imported). */
export type ReportAsset = keyof typeof RUNTIME_ASSETS.files;

/** An asset the report needs could not be found: a bundle built without it, or a package not installed. */
export class ReportAssetMissing extends Error {
  override name = "ReportAssetMissing";
  readonly asset: ReportAsset;
  constructor(asset: ReportAsset, options?: { cause?: unknown }) {
    const { file, from } = RUNTIME_ASSETS.files[asset];
    super(
      `report asset ${file} is neither beside the module nor in node_modules (${from}): rebuild the bundle (infra/bundle.ts ships it) or run npm install`,
      options,
    );
    this.asset = asset;
  }
}

const cache = new Map<ReportAsset, Buffer>();

/** Where an asset is: beside this module in a function's bundle, else in its npm package. */
export function reportAssetPath(asset: ReportAsset): string {
  const { file, from } = RUNTIME_ASSETS.files[asset];
  const beside = fileURLToPath(new URL(`./${file}`, import.meta.url));
  if (existsSync(beside)) return beside;
  try {
    return createRequire(import.meta.url).resolve(from);
  } catch (error) {
    throw new ReportAssetMissing(asset, { cause: error });
  }
}

/** An asset's bytes, read once per process. */
export function reportAsset(asset: ReportAsset): Buffer {
  let bytes = cache.get(asset);
  if (!bytes) {
    bytes = readFileSync(reportAssetPath(asset));
    cache.set(asset, bytes);
  }
  return bytes;
}
