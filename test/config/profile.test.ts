import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProfile, ProfileError, parseProfile, readProfileFile } from "../../app/config/load-profile.ts";
import { DEFAULT_PROFILE } from "../../app/config/profile.ts";
import { deepCheckSchedule, profileSettings } from "../../app/config/profile-settings.ts";
import { DEFAULT_ENABLED_CHECKS } from "../../app/quality/options.ts";

const REPO_PROFILE = new URL("../../dq.config.yaml", import.meta.url).pathname;

describe("the datalake profile", () => {
  it("ships an example (dq.config.yaml) that validates and spells out the defaults", () => {
    const example = readProfileFile(REPO_PROFILE);

    expect({ ...example, deepCheck: undefined }).toEqual({
      ...DEFAULT_PROFILE,
      tolerances: example.tolerances,
      sessionClose: "16:00",
      settleMinutes: 30,
      checks: { volume_mismatch: "off" },
    });
    expect(profileSettings(example).checkOptions.enabled).toEqual(DEFAULT_ENABLED_CHECKS);
  });

  it("refuses an unknown key, naming it", () => {
    expect(() => parseProfile("adjst: all\n", "test")).toThrow(ProfileError);
    expect(() => parseProfile("adjust: dividends\n", "test")).toThrow(/profile test: adjust: /);
    expect(() => parseProfile("datalake:\n  aliases: {'BRK B': BRK.B}\n", "test")).toThrow(/datalake.aliases.BRK B/);
  });

  it("turns check settings into the engine's enabled checks and severities", () => {
    const profile = parseProfile("checks:\n  extra_bars: info\n  outlier_return: off\n  volume_mismatch: on\n", "t");

    const { checkOptions } = profileSettings(profile);

    expect([
      checkOptions.enabled?.has("outlier_return"),
      checkOptions.enabled?.has("volume_mismatch"),
      checkOptions.severities,
    ]).toEqual([false, true, { extra_bars: "info" }]);
  });

  it("gives the datalake its columns, aliases and instant rule, and the provider its adjust", () => {
    const profile = parseProfile(
      "adjust: all\ndatalake:\n  columns: {date: t, close: c}\n  instants: Europe/Berlin\n  aliases: {BRK/B: BRK-B}\n",
      "t",
    );

    const settings = profileSettings(profile);

    expect([settings.provider, settings.datalake]).toEqual([
      { adjust: "all" },
      { columns: { date: "t", close: "c" }, aliases: { "BRK/B": "BRK-B" }, instants: "Europe/Berlin" },
    ]);
  });

  it("passes per-exchange settings with weekday names turned into numbers", () => {
    const profile = parseProfile("markets:\n  XSAU: {close: '15:10', weekend: [friday, saturday]}\n", "t");

    expect(profileSettings(profile).checkOptions.markets).toEqual({ XSAU: { close: "15:10", weekend: [5, 6] } });
  });
});

describe("loadProfile", () => {
  const dir = mkdtempSync(join(tmpdir(), "dq-profile-"));
  writeFileSync(join(dir, "dq.config.yaml"), "adjust: none\n");
  const other = join(dir, "other.yaml");
  writeFileSync(other, "adjust: all\n");

  it("reads DQ_PROFILE first, then DQ_PROFILE_FILE, then dq.config.yaml in the working directory, then defaults", () => {
    const sources = [
      loadProfile({ DQ_PROFILE: '{"adjust": "splits"}', DQ_PROFILE_FILE: other }, dir),
      loadProfile({ DQ_PROFILE_FILE: other }, dir),
      loadProfile({}, dir),
      loadProfile({}, tmpdir()),
    ].map(({ profile, source }) => [profile.adjust, source]);

    expect(sources).toEqual([
      ["splits", "DQ_PROFILE"],
      ["all", other],
      ["none", join(dir, "dq.config.yaml")],
      ["splits", "defaults"],
    ]);
  });
});

describe("deepCheckSchedule", () => {
  it("is a weekly schedule sending the coordinator the deep lookback", () => {
    const schedule = deepCheckSchedule(parseProfile("deepCheck: {weekday: saturday, lookbackDays: 366}\n", "t"));

    expect(schedule).toEqual({
      cron: "cron(30 4 ? * SAT *)",
      input: {
        startedBy: { kind: "schedule" },
        lookbackDays: 366,
        idempotencyKey: "deep-<aws.scheduler.scheduled-time>",
      },
    });
  });
});
