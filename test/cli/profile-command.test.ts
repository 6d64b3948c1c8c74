import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { TwelveDataClient } from "../../app/adapters/twelvedata/client.ts";
import { runProfileCheck } from "../../app/cli/profile-command.ts";
import { type CorporateAction, fakeTwelveData, NVDA_SPLIT, toCsv, VZ_DIVIDEND } from "../helpers/corporate-actions.ts";

function setup(actions: { action: CorporateAction; convention: "none" | "splits" | "all" }[], profile: string) {
  const dir = mkdtempSync(join(tmpdir(), "dq-profile-check-"));
  for (const { action, convention } of actions)
    writeFileSync(join(dir, `${action.symbol}.csv`), toCsv(action.bars(convention)));
  const profileFile = join(dir, "dq.config.yaml");
  writeFileSync(profileFile, profile);
  const fake = fakeTwelveData(actions.map((a) => a.action));
  const chunks: string[] = [];
  return {
    dir,
    options: { datalake: `${pathToFileURL(dir).href}/{symbol}.csv`, profile: profileFile },
    io: {
      stdout: { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream,
      env: {},
      provider: (adjust: "none" | "splits" | "all") =>
        new TwelveDataClient({
          baseUrl: "http://127.0.0.1:9",
          apiKey: "k",
          creditsPerWindow: 8,
          windowSeconds: 60,
          fetch: fake.fetch,
          adjust,
        }),
    },
    output: () => chunks.join(""),
  };
}

describe("dq profile check", () => {
  it("says a total-return datalake looks dividend-adjusted and suggests adjust: all", async () => {
    const { options, io } = setup([{ action: VZ_DIVIDEND, convention: "all" }], "adjust: splits\n");

    const report = await runProfileCheck({ ...options, asOf: new Date("2024-07-20T12:00:00Z"), lookbackDays: 20 }, io);

    expect(report.suggestions).toEqual(["prices look dividend-adjusted (total return): set adjust: all"]);
  });

  it("says a raw datalake looks raw across a split and suggests adjust: none", async () => {
    const { options, io } = setup([{ action: NVDA_SPLIT, convention: "none" }], "{}\n");

    const report = await runProfileCheck({ ...options, asOf: new Date("2024-06-22T12:00:00Z"), lookbackDays: 25 }, io);

    expect(report.suggestions).toEqual(["prices look raw (not adjusted): set adjust: none"]);
  });

  it("finds nothing to change when the profile fits, and names file names it cannot read as symbols", async () => {
    const { dir, options, io, output } = setup([{ action: NVDA_SPLIT, convention: "none" }], "adjust: none\n");
    writeFileSync(join(dir, "nvda-old.csv"), "date,open,high,low,close,volume\n");

    const report = await runProfileCheck(
      { ...options, symbols: ["NVDA"], asOf: new Date("2024-06-22T12:00:00Z"), lookbackDays: 25 },
      io,
    );

    expect(report.suggestions).toEqual([
      "1 file name(s) are not a symbol dq can read and are left out of the universe: nvda-old (rename them, upper case)",
    ]);
    expect(output()).toMatch(/prices look raw \(not adjusted\), as the profile says \(adjust: none\)/);
  });
});
