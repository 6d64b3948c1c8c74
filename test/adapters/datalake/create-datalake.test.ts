import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDatalake } from "../../../app/adapters/datalake/create-datalake.ts";
import { DatalakeConfigError, DatalakeListError, DatalakeReadError } from "../../../app/adapters/datalake/errors.ts";
import { InvalidSymbolError } from "../../../app/domain/symbol.ts";
import { barsToCsv, barsToParquet, sampleBars } from "../../helpers/bar-files.ts";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "dq-datalake-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A file:// template for a directory under the test's temporary root. */
function templateFor(dir: string, tail: string): string {
  return `${pathToFileURL(join(root, dir)).href}/${tail}`;
}

async function put(relativePath: string, content: string | Uint8Array): Promise<void> {
  const path = join(root, relativePath);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, content);
}

describe("createDatalake with a CSV file template", () => {
  it("reads a symbol's bars", async () => {
    await put("csv/AAPL.csv", barsToCsv(sampleBars()));
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv") });

    const bars = await lake.readBars("AAPL");

    expect(bars).toEqual(sampleBars());
  });

  it("returns no bars for a symbol without a file", async () => {
    await mkdir(join(root, "csv"));
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv") });

    expect(await lake.readBars("MSFT")).toEqual([]);
  });

  it("throws DatalakeReadError naming symbol, file and line for a short row", async () => {
    await put("csv/AAPL.csv", "date,open,high,low,close,volume\n2026-01-16,1,2,0.5\n");
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv") });

    const error = await lake.readBars("AAPL").catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DatalakeReadError);
    expect(error).toMatchObject({ symbol: "AAPL", uri: templateFor("csv", "AAPL.csv") });
    expect((error as Error).message).toBe(
      `cannot read AAPL from ${templateFor("csv", "AAPL.csv")}: line 2: expected 6 fields, found 4`,
    );
  });

  it("reads a NaN price as a missing value, for the engine to report on its date", async () => {
    await put("csv/AAPL.csv", "date,open,high,low,close,volume\n2026-01-16,1,NaN,0.5,1,10\n");
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv") });

    const [bar] = await lake.readBars("AAPL");

    expect(bar?.high).toBeNaN();
  });

  it("throws DatalakeReadError for a price that is not a number at all", async () => {
    await put("csv/AAPL.csv", "date,open,high,low,close,volume\n2026-01-16,1,abc,0.5,1,10\n");
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv") });

    await expect(lake.readBars("AAPL")).rejects.toThrow(DatalakeReadError);
  });

  it("throws DatalakeReadError for a file that is not UTF-8 text", async () => {
    await put("csv/AAPL.csv", new Uint8Array([0x64, 0xff, 0xfe, 0x0a]));
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv") });

    await expect(lake.readBars("AAPL")).rejects.toThrow(DatalakeReadError);
  });

  it("reads a symbol holding / from its escaped file name", async () => {
    await put("csv/RDS%2FA.csv", barsToCsv(sampleBars()));
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv") });

    const bars = await lake.readBars("RDS/A");

    expect(bars).toHaveLength(3);
    expect(lake.describe("RDS/A")).toBe(templateFor("csv", "RDS%2FA.csv"));
  });

  it.each(["../etc/passwd", "A B", "A%2F..", "..", "AAPL/../../x", ""])(
    "rejects %j before touching the file system, even where the path would exist",
    async (symbol) => {
      await put("etc/passwd.csv", barsToCsv(sampleBars()));
      await put("csv/A B.csv", barsToCsv(sampleBars()));
      await put("csv/A%2F...csv", barsToCsv(sampleBars()));
      const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv") });

      await expect(lake.readBars(symbol)).rejects.toThrow(InvalidSymbolError);
    },
  );

  it("reads a provider symbol through its alias", async () => {
    await put("csv/BRK.B.csv", barsToCsv(sampleBars()));
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv"), aliases: { "BRK/B": "BRK.B" } });

    expect(await lake.readBars("BRK/B")).toHaveLength(3);
    expect(lake.describe("BRK/B")).toBe(templateFor("csv", "BRK.B.csv"));
  });

  it("lists valid, canonical symbols sorted, unescaped and aliased back to provider names", async () => {
    for (const name of ["MSFT.csv", "AAPL.csv", "RDS%2FA.csv", "BRK.B.csv", "aapl.csv", "bad name.csv", "notes.txt"]) {
      await put(`csv/${name}`, "date,open,high,low,close\n");
    }
    await mkdir(join(root, "csv", "DIR.csv"));
    const lake = createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv"), aliases: { "BRK/B": "BRK.B" } });

    expect(await lake.listSymbols()).toEqual(["AAPL", "BRK/B", "MSFT", "RDS/A"]);
  });

  it("throws DatalakeListError when the directory does not exist", async () => {
    const lake = createDatalake({ uriTemplate: templateFor("nowhere", "{symbol}.csv") });

    await expect(lake.listSymbols()).rejects.toThrow(DatalakeListError);
  });
});

describe("createDatalake with a parquet directory template", () => {
  it("reads a symbol's bars from its directory", async () => {
    await put("pq/AAPL/daily.parquet", barsToParquet(sampleBars()));
    const lake = createDatalake({ uriTemplate: templateFor("pq", "{symbol}/daily.parquet") });

    expect(await lake.readBars("AAPL")).toEqual(sampleBars());
  });

  it("returns no bars when the symbol's directory or file is missing", async () => {
    await mkdir(join(root, "pq", "MSFT"), { recursive: true });
    const lake = createDatalake({ uriTemplate: templateFor("pq", "{symbol}/daily.parquet") });

    expect(await lake.readBars("MSFT")).toEqual([]);
    expect(await lake.readBars("IBM")).toEqual([]);
  });

  it("throws DatalakeReadError for a truncated file", async () => {
    const whole = barsToParquet(sampleBars());
    await put("pq/AAPL/daily.parquet", whole.slice(0, Math.floor(whole.byteLength / 2)));
    const lake = createDatalake({ uriTemplate: templateFor("pq", "{symbol}/daily.parquet") });

    const error = await lake.readBars("AAPL").catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DatalakeReadError);
    expect((error as Error).message).toMatch(
      /^cannot read AAPL from file:.*AAPL\/daily\.parquet: not a readable parquet/,
    );
  });

  it("uses configured column names", async () => {
    await put("pq/AAPL/daily.parquet", barsToParquet(sampleBars(), "session"));
    const lake = createDatalake({
      uriTemplate: templateFor("pq", "{symbol}/daily.parquet"),
      columns: { date: "session" },
    });

    expect(await lake.readBars("AAPL")).toEqual(sampleBars());
  });

  it("lists the directories that hold the file", async () => {
    await put("pq/MSFT/daily.parquet", barsToParquet(sampleBars()));
    await put("pq/RDS%2FA/daily.parquet", barsToParquet(sampleBars()));
    await put("pq/EMPTY/other.parquet", barsToParquet(sampleBars()));
    await put("pq/LOOSE", "not a directory");
    const lake = createDatalake({ uriTemplate: templateFor("pq", "{symbol}/daily.parquet") });

    expect(await lake.listSymbols()).toEqual(["MSFT", "RDS/A"]);
  });
});

describe("createDatalake configuration", () => {
  it("rejects an unsupported scheme", () => {
    expect(() => createDatalake({ uriTemplate: "gs://bucket/{symbol}.csv" })).toThrow(DatalakeConfigError);
  });

  it("rejects an alias to an invalid symbol", () => {
    expect(() =>
      createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv"), aliases: { AAPL: "../x" } }),
    ).toThrow(/alias AAPL=\.\.\/x/);
  });

  it("rejects two aliases to one datalake symbol", () => {
    const aliases = { "BRK/B": "BRK.B", "BRK-B": "BRK.B" };

    expect(() => createDatalake({ uriTemplate: templateFor("csv", "{symbol}.csv"), aliases })).toThrow(
      DatalakeConfigError,
    );
  });
});
