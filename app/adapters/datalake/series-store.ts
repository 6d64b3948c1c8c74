import type { AsyncBuffer } from "hyparquet";

/**
 * Where a datalake's series live, addressed by the symbol's path segment (already validated and escaped).
 * One implementation per storage backend; everything above it (formats, aliases, errors) is shared.
 */
export interface SeriesStore {
  /** The series stored under the segment, or undefined when there is none. Throws on any other failure. */
  open(segment: string): Promise<AsyncBuffer | undefined>;
  /** The segments that hold a series, in no particular order. Throws DatalakeListError. */
  listSegments(): Promise<string[]>;
  /** Where the store lists from, for messages. */
  readonly root: string;
}

/** The middle of `name` between a known prefix and suffix, or undefined when it does not fit. */
export function segmentBetween(name: string, prefix: string, suffix: string): string | undefined {
  if (name.length <= prefix.length + suffix.length || !name.startsWith(prefix) || !name.endsWith(suffix)) return;
  const segment = name.slice(prefix.length, name.length - suffix.length);
  return segment.includes("/") ? undefined : segment;
}
