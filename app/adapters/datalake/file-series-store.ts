import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AsyncBuffer } from "hyparquet";
import { asyncBufferFromFile } from "hyparquet";
import type { FileTemplate } from "./datalake-template.ts";
import { DatalakeListError } from "./errors.ts";
import { type SeriesStore, segmentBetween } from "./series-store.ts";

/** Series as local files: `file:///dir/{symbol}.csv` or `file:///dir/{symbol}/daily.parquet`. */
export class FileSeriesStore implements SeriesStore {
  readonly root: string;
  readonly #template: FileTemplate;

  constructor(template: FileTemplate) {
    this.#template = template;
    this.root = template.directory;
  }

  async open(segment: string): Promise<AsyncBuffer | undefined> {
    try {
      return await asyncBufferFromFile(this.#path(segment));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async listSegments(): Promise<string[]> {
    const { namePrefix, nameSuffix } = this.#template;
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (error) {
      throw new DatalakeListError(this.root, errorMessage(error), { cause: error });
    }
    const segments = entries.map((name) => segmentBetween(name, namePrefix, nameSuffix));
    const present = await Promise.all(
      segments.map(async (segment) => (segment !== undefined && (await this.#isFile(segment)) ? segment : undefined)),
    );
    return present.filter((segment) => segment !== undefined);
  }

  #path(segment: string): string {
    const { namePrefix, nameSuffix, rest } = this.#template;
    return join(this.root, `${namePrefix}${segment}${nameSuffix}`, rest);
  }

  async #isFile(segment: string): Promise<boolean> {
    try {
      return (await stat(this.#path(segment))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw new DatalakeListError(this.root, errorMessage(error), { cause: error });
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
