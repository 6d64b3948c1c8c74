import type { ChartPoster, ChartUpload } from "./ports.ts";

/** The slice of @slack/web-api's WebClient the poster calls (Bolt's app.client is one). */
export interface FilesUploadClient {
  filesUploadV2(args: {
    channel_id: string;
    thread_ts: string;
    file: Buffer;
    filename: string;
    title: string;
    alt_text?: string;
  }): Promise<unknown>;
}

/** Chart images as thread replies through files.uploadV2 (the bot needs the files:write scope). */
export class SlackChartPoster implements ChartPoster {
  readonly #client: FilesUploadClient;

  constructor(client: FilesUploadClient) {
    this.#client = client;
  }

  async upload(chart: ChartUpload): Promise<void> {
    await this.#client.filesUploadV2({
      channel_id: chart.channel,
      thread_ts: chart.threadTs,
      file: chart.png,
      filename: chart.filename,
      title: chart.title,
      alt_text: chart.altText,
    });
  }
}
