import { describe, expect, it } from "vitest";
import { MAX_SLACK_SYMBOLS, parseDqCommand } from "../../app/slack/command.ts";

describe("parseDqCommand", () => {
  it("reads run with symbols and a lookback", () => {
    expect(parseDqCommand("run AAPL msft --lookback 5")).toEqual({
      kind: "run",
      symbols: ["AAPL", "MSFT"],
      lookbackDays: 5,
    });
  });

  it("accepts comma-separated symbols, --lookback=N and drops duplicates", () => {
    expect(parseDqCommand("run AAPL,MSFT, BRK.B aapl --lookback=30")).toEqual({
      kind: "run",
      symbols: ["AAPL", "MSFT", "BRK.B"],
      lookbackDays: 30,
    });
  });

  it("reads a bare run as the configured universe", () => {
    expect(parseDqCommand("  RUN  ")).toEqual({ kind: "run" });
  });

  it("refuses a lookback outside 1-366", () => {
    for (const days of ["0", "367", "2.5", "many"])
      expect(parseDqCommand(`run AAPL --lookback ${days}`)).toMatchObject({ kind: "invalid", command: "run" });
  });

  it("refuses --lookback without a value", () => {
    expect(parseDqCommand("run AAPL --lookback")).toMatchObject({
      kind: "invalid",
      reason: "--lookback needs a number of days",
    });
  });

  it("refuses an unknown option", () => {
    expect(parseDqCommand("run AAPL --force")).toMatchObject({
      kind: "invalid",
      reason: expect.stringContaining("unknown option `--force`"),
    });
  });

  it("refuses symbols outside the symbol pattern", () => {
    for (const bad of ["../x", "A..B", "AAPL%20", "a\\b"])
      expect(parseDqCommand(`run ${bad}`)).toMatchObject({ kind: "invalid" });
  });

  it(`refuses more than ${MAX_SLACK_SYMBOLS} symbols`, () => {
    const symbols = Array.from({ length: MAX_SLACK_SYMBOLS + 1 }, (_, i) => `S${i}`).join(" ");
    expect(parseDqCommand(`run ${symbols}`)).toMatchObject({
      kind: "invalid",
      reason: expect.stringContaining(`${MAX_SLACK_SYMBOLS + 1} symbols`),
    });
  });

  it("reads status with and without a session", () => {
    expect(parseDqCommand("status")).toEqual({ kind: "status" });
    expect(parseDqCommand("status LATEST")).toEqual({ kind: "status", session: "latest" });
    expect(parseDqCommand("status s-20260116T043000Z-ab12cd34")).toEqual({
      kind: "status",
      session: "s-20260116T043000Z-ab12cd34",
    });
  });

  it("requires exactly one session for retry and an explicit one for cancel", () => {
    expect(parseDqCommand("retry s-1")).toEqual({ kind: "retry", session: "s-1" });
    expect(parseDqCommand("retry")).toMatchObject({ kind: "invalid", command: "retry" });
    expect(parseDqCommand("cancel latest")).toMatchObject({ kind: "invalid", command: "cancel" });
    expect(parseDqCommand("cancel s-1 s-2")).toMatchObject({ kind: "invalid", command: "cancel" });
  });

  it("refuses a session id that could inject markup", () => {
    expect(parseDqCommand("status <!channel>")).toMatchObject({ kind: "invalid", command: "status" });
  });

  it("reads the schedule actions", () => {
    expect(parseDqCommand("schedule")).toEqual({ kind: "schedule", schedule: { action: "show" } });
    expect(parseDqCommand("schedule pause")).toEqual({ kind: "schedule", schedule: { action: "pause" } });
    expect(parseDqCommand("schedule resume")).toEqual({ kind: "schedule", schedule: { action: "resume" } });
    expect(parseDqCommand("schedule set 5:07")).toEqual({
      kind: "schedule",
      schedule: { action: "set", hour: 5, minute: 7 },
    });
    expect(parseDqCommand("schedule set 21:30 america/new_york")).toEqual({
      kind: "schedule",
      schedule: { action: "set", hour: 21, minute: 30, timezone: "America/New_York" },
    });
  });

  it("refuses a bad schedule time or time zone", () => {
    expect(parseDqCommand("schedule set 24:00")).toMatchObject({ kind: "invalid", command: "schedule" });
    expect(parseDqCommand("schedule set 04:30 Mars/Olympus")).toMatchObject({
      kind: "invalid",
      reason: expect.stringContaining("not an IANA time zone"),
    });
    expect(parseDqCommand("schedule delete")).toMatchObject({ kind: "invalid", command: "schedule" });
  });

  it("reads help, and an empty command as help", () => {
    expect(parseDqCommand("help")).toEqual({ kind: "help" });
    expect(parseDqCommand("")).toEqual({ kind: "help" });
  });

  it("keeps text it does not understand", () => {
    expect(parseDqCommand("deploy prod")).toEqual({ kind: "unknown", text: "deploy prod" });
  });
});

describe("parseDqCommand: mute", () => {
  it("reads symbols and an optional duration, seven days by default", () => {
    expect(parseDqCommand("mute aapl")).toEqual({ kind: "mute", symbols: ["AAPL"], hours: 168 });
    expect(parseDqCommand("mute AAPL, MSFT for 7d")).toEqual({ kind: "mute", symbols: ["AAPL", "MSFT"], hours: 168 });
    expect(parseDqCommand("mute BRK.B 12h")).toEqual({ kind: "mute", symbols: ["BRK.B"], hours: 12 });
    expect(parseDqCommand("mute X for 2w")).toEqual({ kind: "mute", symbols: ["X"], hours: 336 });
    expect(parseDqCommand("mutes")).toEqual({ kind: "mute", symbols: [], hours: 168 });
    expect(parseDqCommand("unmute aapl")).toEqual({ kind: "unmute", symbols: ["AAPL"] });
  });

  it("explains what it cannot read", () => {
    expect(parseDqCommand("mute AAPL for")).toMatchObject({
      kind: "invalid",
      reason: expect.stringContaining("needs a duration"),
    });
    expect(parseDqCommand("mute AAPL for 0h")).toMatchObject({
      kind: "invalid",
      reason: expect.stringContaining("from 1h to 90d"),
    });
    expect(parseDqCommand("unmute")).toMatchObject({ kind: "invalid", command: "unmute" });
  });
});
