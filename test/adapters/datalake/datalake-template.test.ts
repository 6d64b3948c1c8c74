import { describe, expect, it } from "vitest";
import { expandTemplate, parseDatalakeTemplate } from "../../../app/adapters/datalake/datalake-template.ts";
import { DatalakeConfigError } from "../../../app/adapters/datalake/errors.ts";

describe("parseDatalakeTemplate", () => {
  it("splits a CSV file template into directory and file name", () => {
    const template = parseDatalakeTemplate("file:///data/lake/{symbol}.csv");

    expect(template).toMatchObject({
      scheme: "file",
      format: "csv",
      directory: "/data/lake/",
      namePrefix: "",
      nameSuffix: ".csv",
      rest: "",
    });
  });

  it("splits a per-symbol directory template into directory, entry and path inside it", () => {
    const template = parseDatalakeTemplate("file:///data/bars-{symbol}/daily.parquet");

    expect(template).toMatchObject({ format: "parquet", namePrefix: "bars-", nameSuffix: "", rest: "/daily.parquet" });
  });

  it("splits an S3 template into bucket, key prefix and key suffix", () => {
    const template = parseDatalakeTemplate("s3://market-lake/eod/v1/{symbol}/daily.parquet");

    expect(template).toMatchObject({
      scheme: "s3",
      bucket: "market-lake",
      keyPrefix: "eod/v1/",
      keySuffix: "/daily.parquet",
    });
  });

  it("expands a symbol with / escaped", () => {
    const template = parseDatalakeTemplate("s3://lake/{symbol}/daily.parquet");

    expect(expandTemplate(template, "RDS/A")).toBe("s3://lake/RDS%2FA/daily.parquet");
  });

  it.each([
    ["file:///data/daily.csv", /exactly once/],
    ["file:///data/{symbol}/{symbol}.csv", /exactly once/],
    ["https://example.com/{symbol}.csv", /unsupported scheme https:\/\//],
    ["/data/{symbol}.csv", /expected a URI/],
    ["file:///data/{symbol}.json", /\.csv or \.parquet/],
    ["s3://{symbol}/daily.parquet", /bucket name/],
    ["s3://Bad_Bucket/{symbol}/daily.parquet", /invalid bucket name/],
    ["file://host/data/{symbol}.csv", /not a local file URI/],
  ])("rejects %s with a one-line DatalakeConfigError", (uriTemplate, reason) => {
    const parse = () => parseDatalakeTemplate(uriTemplate);

    expect(parse).toThrow(DatalakeConfigError);
    expect(parse).toThrow(reason);
  });
});
