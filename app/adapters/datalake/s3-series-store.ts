import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { AsyncBuffer } from "hyparquet";
import { cachedAsyncBuffer } from "hyparquet";
import type { S3Template } from "./datalake-template.ts";
import { DatalakeListError } from "./errors.ts";
import { type SeriesStore, segmentBetween } from "./series-store.ts";

export interface S3SeriesStoreOptions {
  /** ListObjectsV2 MaxKeys per page. @default 1000 */
  listPageSize?: number;
  /**
   * Objects up to this size are fetched in one ranged read and served from memory; larger ones are read range by
   * range as the parquet reader asks (footer, then column chunks). A daily series is usually well below it.
   * @default 1048576
   */
  wholeObjectBytes?: number;
}

/** Series as S3 objects, read with ranged GetObject requests after a HeadObject for the size and ETag. */
export class S3SeriesStore implements SeriesStore {
  readonly root: string;
  readonly #client: S3Client;
  readonly #template: S3Template;
  readonly #listPageSize: number;
  readonly #wholeObjectBytes: number;

  constructor(client: S3Client, template: S3Template, options: S3SeriesStoreOptions = {}) {
    this.#client = client;
    this.#template = template;
    this.root = `s3://${template.bucket}/${template.keyPrefix}`;
    this.#listPageSize = options.listPageSize ?? 1000;
    this.#wholeObjectBytes = options.wholeObjectBytes ?? 1_048_576;
  }

  async open(segment: string): Promise<AsyncBuffer | undefined> {
    const Bucket = this.#template.bucket;
    const Key = `${this.#template.keyPrefix}${segment}${this.#template.keySuffix}`;
    let head: { ContentLength?: number | undefined; ETag?: string | undefined };
    try {
      head = await this.#client.send(new HeadObjectCommand({ Bucket, Key }));
    } catch (error) {
      // HEAD answers have no body, so a missing key is only a 404 (the SDK names it NotFound).
      if (isNotFound(error)) return undefined;
      // S3 answers 403 instead of 404 for a missing key unless the caller may list the bucket, and whether a
      // ListBucket grant limited by an s3:prefix condition counts is not documented: ask the listing.
      if (isForbidden(error) && !(await this.#exists(Key))) return undefined;
      throw error;
    }
    const byteLength = head.ContentLength ?? 0;
    const client = this.#client;
    const ifMatch = head.ETag;
    const ranged: AsyncBuffer = {
      byteLength,
      async slice(start: number, end?: number): Promise<ArrayBuffer> {
        const stop = end ?? byteLength;
        if (stop <= start) return new ArrayBuffer(0);
        // If-Match: an object replaced between two ranges fails instead of mixing two versions.
        const answer = await client.send(
          new GetObjectCommand({ Bucket, Key, Range: `bytes=${start}-${stop - 1}`, IfMatch: ifMatch }),
        );
        const bytes = await answer.Body?.transformToByteArray();
        if (!bytes || bytes.byteLength !== stop - start) {
          throw new Error(`ranged read ${start}-${stop - 1} returned ${bytes?.byteLength ?? 0} bytes`);
        }
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
    return cachedAsyncBuffer(ranged, { minSize: this.#wholeObjectBytes + 1 });
  }

  /**
   * Whether the key exists, by a listing of exactly that prefix (allowed under the template's prefix). A listing
   * that fails answers "exists", so the caller keeps its original error rather than calling the symbol missing.
   */
  async #exists(key: string): Promise<boolean> {
    try {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#template.bucket, Prefix: key, MaxKeys: 1 }),
      );
      return (page.Contents ?? []).some((object) => object.Key === key);
    } catch {
      return true;
    }
  }

  async listSegments(): Promise<string[]> {
    const { bucket, keyPrefix, keySuffix } = this.#template;
    const segments: string[] = [];
    let token: string | undefined;
    do {
      let page: { Contents?: { Key?: string | undefined }[] | undefined; NextContinuationToken?: string | undefined };
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: keyPrefix,
            MaxKeys: this.#listPageSize,
            ContinuationToken: token,
          }),
        );
      } catch (error) {
        throw new DatalakeListError(this.root, errorMessage(error), { cause: error });
      }
      for (const object of page.Contents ?? []) {
        const segment = object.Key === undefined ? undefined : segmentBetween(object.Key, keyPrefix, keySuffix);
        if (segment !== undefined) segments.push(segment);
      }
      token = page.NextContinuationToken;
    } while (token);
    return segments;
  }
}

function isNotFound(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return (
    candidate?.name === "NotFound" || candidate?.name === "NoSuchKey" || candidate?.$metadata?.httpStatusCode === 404
  );
}

function isForbidden(error: unknown): boolean {
  const candidate = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return (
    candidate?.name === "Forbidden" ||
    candidate?.name === "AccessDenied" ||
    candidate?.$metadata?.httpStatusCode === 403
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
