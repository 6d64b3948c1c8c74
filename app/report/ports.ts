/** Where report pages are kept: on AWS the reports bucket, read back only through a link that expires. */
export interface ReportStore {
  /** Stores the page under `key` (replacing one already there: a retried notification writes the same page). */
  put(key: string, html: string): Promise<void>;
  /** A link that opens the page without AWS credentials, for `expiresInSeconds`. */
  link(key: string, expiresInSeconds: number): Promise<string>;
}

/** One chart image posted as a reply in a message's thread (Slack's files.uploadV2). */
export interface ChartUpload {
  channel: string;
  threadTs: string;
  png: Buffer;
  filename: string;
  title: string;
  /** For screen readers. */
  altText: string;
}

export interface ChartPoster {
  upload(chart: ChartUpload): Promise<void>;
}

/** The report's S3 key of a session: one page per session, dated so a listing reads in order. */
export function reportKey(sessionId: string, createdAt: string): string {
  return `reports/${createdAt.slice(0, 10)}/${sessionId}.html`;
}
