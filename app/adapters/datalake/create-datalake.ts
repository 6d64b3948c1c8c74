import { S3Client } from "@aws-sdk/client-s3";
import type { ColumnNames } from "./columns.ts";
import { parseDatalakeTemplate } from "./datalake-template.ts";
import { FileSeriesStore } from "./file-series-store.ts";
import { S3SeriesStore } from "./s3-series-store.ts";
import { TemplateDatalake } from "./template-datalake.ts";
import type { InstantRule } from "./values.ts";

export interface DatalakeOptions {
  /** `file:///dir/{symbol}.csv`, `file:///dir/{symbol}/daily.parquet` or `s3://bucket/prefix/{symbol}/daily.parquet`. */
  uriTemplate: string;
  /** @default date|timestamp|datetime, open, high, low, close, volume */
  columns?: Partial<ColumnNames>;
  /** Provider symbol -> datalake symbol, e.g. `{ "BRK/B": "BRK.B" }`. @default {} */
  aliases?: Record<string, string>;
  /** For s3:// templates. @default new S3Client({}) (region, credentials and AWS_ENDPOINT_URL_S3 from the environment) */
  s3?: S3Client;
  /** S3 ListObjectsV2 page size. @default 1000 */
  listPageSize?: number;
  /** S3 objects up to this size are fetched in one ranged read. @default 1048576 */
  wholeObjectBytes?: number;
  /** Bytes of a parquet file's tail read first for its footer. @default 65536 */
  footerBytes?: number;
  /** How bare instants are dated: auto, utc, exchange or an IANA zone (see InstantRule). @default "auto" */
  instants?: InstantRule;
}

/** The datalake reader for a URI template, chosen by its scheme. Throws DatalakeConfigError for a bad template. */
export function createDatalake(options: DatalakeOptions): TemplateDatalake {
  const template = parseDatalakeTemplate(options.uriTemplate);
  const store =
    template.scheme === "file"
      ? new FileSeriesStore(template)
      : new S3SeriesStore(options.s3 ?? new S3Client({}), template, {
          listPageSize: options.listPageSize,
          wholeObjectBytes: options.wholeObjectBytes,
        });
  return new TemplateDatalake({
    template,
    store,
    columns: options.columns,
    aliases: options.aliases,
    instants: options.instants,
    parquet: { footerBytes: options.footerBytes },
  });
}
