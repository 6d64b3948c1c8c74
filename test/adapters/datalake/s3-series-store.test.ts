import { CreateBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatalake } from "../../../app/adapters/datalake/create-datalake.ts";
import { DatalakeListError, DatalakeReadError } from "../../../app/adapters/datalake/errors.ts";
import { InvalidSymbolError } from "../../../app/domain/symbol.ts";
import type { LoopbackServer } from "../../../local/aws/http-server.ts";
import { startFauxqs } from "../../../local/aws/sqs.ts";
import { barsToCsv, barsToParquet, manyBars, sampleBars } from "../../helpers/bar-files.ts";
import { s3ClientFor } from "../../helpers/s3-client.ts";

const BUCKET = "market-lake";
const TEMPLATE = `s3://${BUCKET}/eod/{symbol}/daily.parquet`;

let fauxqs: LoopbackServer;
let s3: S3Client;

/** Every S3 request the client sends: command name and Range header. Observes, never alters. */
function recordRequests(client: S3Client): { command: string; range: string | undefined }[] {
  const sent: { command: string; range: string | undefined }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), range: (args.input as { Range?: string }).Range });
      return next(args);
    },
    { step: "initialize" },
  );
  return sent;
}

async function putObject(key: string, body: string | Uint8Array): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

beforeAll(async () => {
  fauxqs = await startFauxqs();
  s3 = s3ClientFor(fauxqs.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await putObject("eod/AAPL/daily.parquet", barsToParquet(sampleBars()));
  await putObject("eod/LONG/daily.parquet", barsToParquet(manyBars(3000)));
  await putObject("eod/RDS%2FA/daily.parquet", barsToParquet(sampleBars()));
  const whole = barsToParquet(sampleBars());
  await putObject("eod/TRUNC/daily.parquet", whole.slice(0, whole.byteLength - 30));
  await putObject("eod/BRK.B/daily.parquet", barsToParquet(sampleBars()));
});

afterAll(async () => {
  s3?.destroy();
  await fauxqs?.stop();
});

describe("createDatalake with an S3 template", () => {
  it("reads a symbol's bars", async () => {
    const lake = createDatalake({ uriTemplate: TEMPLATE, s3 });

    expect(await lake.readBars("AAPL")).toEqual(sampleBars());
  });

  it("reads a large object through several ranged GetObject requests after one HeadObject", async () => {
    const client = s3ClientFor(fauxqs.endpoint);
    const sent = recordRequests(client);
    const lake = createDatalake({ uriTemplate: TEMPLATE, s3: client, wholeObjectBytes: 0, footerBytes: 4096 });

    const bars = await lake.readBars("LONG");

    expect(bars).toEqual(manyBars(3000));
    expect(sent[0]).toEqual({ command: "HeadObjectCommand", range: undefined });
    const gets = sent.slice(1);
    expect(gets.length).toBeGreaterThan(1);
    expect(
      gets.every((request) => request.command === "GetObjectCommand" && /^bytes=\d+-\d+$/.test(request.range ?? "")),
    ).toBe(true);
    client.destroy();
  });

  it("fetches a small object whole in a single ranged read", async () => {
    const client = s3ClientFor(fauxqs.endpoint);
    const sent = recordRequests(client);
    const lake = createDatalake({ uriTemplate: TEMPLATE, s3: client });

    await lake.readBars("AAPL");

    expect(sent.map((request) => request.command)).toEqual(["HeadObjectCommand", "GetObjectCommand"]);
    expect(sent[1]?.range).toMatch(/^bytes=0-\d+$/);
    client.destroy();
  });

  it("returns no bars for a symbol without an object", async () => {
    const lake = createDatalake({ uriTemplate: TEMPLATE, s3 });

    expect(await lake.readBars("MSFT")).toEqual([]);
  });

  it("throws DatalakeReadError for a truncated object", async () => {
    const lake = createDatalake({ uriTemplate: TEMPLATE, s3 });

    const error = await lake.readBars("TRUNC").catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DatalakeReadError);
    expect(error).toMatchObject({ symbol: "TRUNC", uri: `s3://${BUCKET}/eod/TRUNC/daily.parquet` });
  });

  it("reads a symbol holding / from its escaped key", async () => {
    const lake = createDatalake({ uriTemplate: TEMPLATE, s3 });

    expect(await lake.readBars("RDS/A")).toHaveLength(3);
    expect(lake.describe("RDS/A")).toBe(`s3://${BUCKET}/eod/RDS%2FA/daily.parquet`);
  });

  it.each(["../etc/passwd", "A B", "A%2F..", "AAPL/../TRUNC"])(
    "rejects %j without sending a request",
    async (symbol) => {
      const client = s3ClientFor(fauxqs.endpoint);
      const sent = recordRequests(client);
      const lake = createDatalake({ uriTemplate: TEMPLATE, s3: client });

      await expect(lake.readBars(symbol)).rejects.toThrow(InvalidSymbolError);
      expect(sent).toEqual([]);
      client.destroy();
    },
  );

  it("reads a CSV object", async () => {
    await putObject("csv/AAPL.csv", barsToCsv(sampleBars()));
    const lake = createDatalake({ uriTemplate: `s3://${BUCKET}/csv/{symbol}.csv`, s3 });

    expect(await lake.readBars("AAPL")).toEqual(sampleBars());
  });
});

describe("S3 listing", () => {
  it("pages through ListObjectsV2 with continuation tokens until the last page", async () => {
    const symbols = ["A1", "B2", "C3", "D4", "E5", "F6", "G7"];
    for (const symbol of symbols) await putObject(`pages/${symbol}/daily.parquet`, "x");
    const client = s3ClientFor(fauxqs.endpoint);
    const sent = recordRequests(client);
    const lake = createDatalake({
      uriTemplate: `s3://${BUCKET}/pages/{symbol}/daily.parquet`,
      s3: client,
      listPageSize: 2,
    });

    const listed = await lake.listSymbols();

    expect(listed).toEqual(symbols);
    expect(sent.filter((request) => request.command === "ListObjectsV2Command")).toHaveLength(4);
    client.destroy();
  });

  it("keeps only keys that match the template and hold a valid, canonical symbol, aliased back", async () => {
    const keys = [
      "list/MSFT/daily.parquet",
      "list/RDS%2FA/daily.parquet",
      "list/BRK.B/daily.parquet",
      "list/IBM/minute.parquet",
      "list/A/B/daily.parquet",
      "list/x/daily.parquet",
      "list/bad name/daily.parquet",
      "list/RDS%2fB/daily.parquet",
      "list/daily.parquet",
    ];
    for (const key of keys) await putObject(key, "x");
    const lake = createDatalake({
      uriTemplate: `s3://${BUCKET}/list/{symbol}/daily.parquet`,
      s3,
      aliases: { "BRK/B": "BRK.B" },
    });

    expect(await lake.listSymbols()).toEqual(["BRK/B", "MSFT", "RDS/A"]);
  });

  it("throws DatalakeListError for a missing bucket", async () => {
    const lake = createDatalake({ uriTemplate: "s3://no-such-bucket/{symbol}.csv", s3 });

    await expect(lake.listSymbols()).rejects.toThrow(DatalakeListError);
  });
});
