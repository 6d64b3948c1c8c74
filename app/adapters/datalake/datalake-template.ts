import { fileURLToPath } from "node:url";
import { symbolToPathSegment } from "../../domain/symbol.ts";
import { DatalakeConfigError } from "./errors.ts";

export const SYMBOL_PLACEHOLDER = "{symbol}";

export const SeriesFormat = { csv: "csv", parquet: "parquet" } as const;
export type SeriesFormat = (typeof SeriesFormat)[keyof typeof SeriesFormat];

interface TemplateBase {
  template: string;
  format: SeriesFormat;
  /** The template before and after `{symbol}`, as written. */
  prefix: string;
  suffix: string;
}

/**
 * `file:///dir/{symbol}.csv` or `file:///dir/{symbol}/daily.parquet`: the symbol's segment is a name in
 * `directory`, `namePrefix + segment + nameSuffix`, and the series is that entry followed by `rest`.
 */
export interface FileTemplate extends TemplateBase {
  scheme: "file";
  directory: string;
  namePrefix: string;
  nameSuffix: string;
  /** "" when the entry is the file itself, else "/path/inside/the/entry". */
  rest: string;
}

/** `s3://bucket/prefix/{symbol}/daily.parquet`: the key is `keyPrefix + segment + keySuffix`. */
export interface S3Template extends TemplateBase {
  scheme: "s3";
  bucket: string;
  keyPrefix: string;
  keySuffix: string;
}

export type DatalakeTemplate = FileTemplate | S3Template;

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses and checks a datalake URI template; throws DatalakeConfigError with what to write instead. */
export function parseDatalakeTemplate(template: string): DatalakeTemplate {
  const fail: (reason: string) => never = (reason) => {
    throw new DatalakeConfigError(template, reason);
  };
  const parts = template.split(SYMBOL_PLACEHOLDER);
  if (parts.length !== 2) fail(`must contain ${SYMBOL_PLACEHOLDER} exactly once`);
  const [prefix = "", suffix = ""] = parts;
  if (suffix.includes("{") || prefix.includes("{")) fail(`the only placeholder is ${SYMBOL_PLACEHOLDER}`);
  const scheme = SCHEME.exec(template)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    fail("expected a URI such as file:///data/{symbol}.csv or s3://bucket/prefix/{symbol}/daily.parquet");
  }
  const format = suffix.endsWith(".csv")
    ? SeriesFormat.csv
    : suffix.endsWith(".parquet")
      ? SeriesFormat.parquet
      : undefined;
  if (format === undefined) fail("the file name must end in .csv or .parquet");
  const base = { template, format, prefix, suffix };
  if (scheme === "file") return fileTemplate(base, fail);
  if (scheme === "s3") return s3Template(base, fail);
  return fail(`unsupported scheme ${scheme}:// (use file:// or s3://)`);
}

function fileTemplate(base: TemplateBase, fail: (reason: string) => never): FileTemplate {
  const { prefix, suffix } = base;
  const slash = prefix.lastIndexOf("/");
  const directoryUrl = prefix.slice(0, slash + 1);
  let directory = "";
  try {
    directory = fileURLToPath(directoryUrl);
  } catch (error) {
    throw new DatalakeConfigError(base.template, `not a local file URI: ${(error as Error).message}`, { cause: error });
  }
  if (directoryUrl === "file://" || !directory) fail("expected an absolute path: file:///dir/{symbol}.csv");
  const split = suffix.indexOf("/");
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch (error) {
      throw new DatalakeConfigError(base.template, `bad percent-escape in ${JSON.stringify(text)}`, { cause: error });
    }
  };
  const namePrefix = decode(prefix.slice(slash + 1));
  const nameSuffix = decode(split < 0 ? suffix : suffix.slice(0, split));
  const rest = split < 0 ? "" : decode(suffix.slice(split));
  if (namePrefix.includes("/") || nameSuffix.includes("/")) fail("the name around {symbol} cannot hold an escaped /");
  if (rest.split("/").includes("..")) fail("the path after {symbol} cannot contain ..");
  return { ...base, scheme: "file", directory, namePrefix, nameSuffix, rest };
}

function s3Template(base: TemplateBase, fail: (reason: string) => never): S3Template {
  const path = base.prefix.slice("s3://".length);
  const slash = path.indexOf("/");
  if (slash < 0) fail("expected s3://bucket/prefix/{symbol}/daily.parquet: {symbol} cannot be in the bucket name");
  const bucket = path.slice(0, slash);
  if (!BUCKET.test(bucket)) fail(`invalid bucket name ${JSON.stringify(bucket)}`);
  return { ...base, scheme: "s3", bucket, keyPrefix: path.slice(slash + 1), keySuffix: base.suffix };
}

/** The URI a (datalake) symbol resolves to, as the template writes it. Throws InvalidSymbolError. */
export function expandTemplate(template: DatalakeTemplate, symbol: string): string {
  return `${template.prefix}${symbolToPathSegment(symbol)}${template.suffix}`;
}
