import { describe, expect, it } from "vitest";
import { authorize, type SlackPolicy } from "../../app/slack/authorization.ts";
import type { DqCommand } from "../../app/slack/command.ts";

const run: DqCommand = { kind: "run" };
const cancel: DqCommand = { kind: "cancel", session: "s-1" };
const show: DqCommand = { kind: "schedule", schedule: { action: "show" } };
const pause: DqCommand = { kind: "schedule", schedule: { action: "pause" } };
const policy: SlackPolicy = { allowedUsers: ["U1"], allowedChannels: ["C1"], admins: ["UADMIN"] };

describe("authorize", () => {
  it("allows an allowed user in an allowed channel", () => {
    expect(authorize(run, { userId: "U1", channelId: "C1" }, policy)).toEqual({ allowed: true });
  });

  it("refuses a user not on the list, and a channel not on the list", () => {
    expect(authorize(run, { userId: "U2", channelId: "C1" }, policy)).toMatchObject({ allowed: false });
    expect(authorize(run, { userId: "U1", channelId: "C2" }, policy)).toMatchObject({ allowed: false });
  });

  it("treats an empty user list as any user of an allowed channel", () => {
    const open = { ...policy, allowedUsers: [] };
    expect(authorize(run, { userId: "UANY", channelId: "C1" }, open)).toEqual({ allowed: true });
    expect(authorize(run, { userId: "UANY", channelId: "C2" }, open)).toMatchObject({ allowed: false });
  });

  it("treats an empty channel list as any channel for the allowed users", () => {
    expect(authorize(run, { userId: "U1", channelId: "CANY" }, { ...policy, allowedChannels: [] })).toEqual({
      allowed: true,
    });
  });

  it("refuses everyone, with the reason, when no list is configured", () => {
    const decision = authorize(
      run,
      { userId: "U1", channelId: "C1" },
      { allowedUsers: [], allowedChannels: [], admins: [] },
    );
    expect(decision).toMatchObject({ allowed: false, reason: expect.stringContaining("DQ_SLACK_ALLOWED_USERS") });
  });

  it("reserves cancel and schedule changes for admins, not schedule show", () => {
    expect(authorize(cancel, { userId: "U1", channelId: "C1" }, policy)).toMatchObject({ allowed: false });
    expect(authorize(pause, { userId: "U1", channelId: "C1" }, policy)).toMatchObject({ allowed: false });
    expect(authorize(show, { userId: "U1", channelId: "C1" }, policy)).toEqual({ allowed: true });
    expect(authorize(cancel, { userId: "UADMIN", channelId: "C1" }, policy)).toEqual({ allowed: true });
  });

  it("applies the channel rule to admins too", () => {
    expect(authorize(cancel, { userId: "UADMIN", channelId: "C2" }, policy)).toMatchObject({ allowed: false });
  });

  it("answers help to anyone", () => {
    expect(authorize({ kind: "help" }, { userId: "U9", channelId: "C9" }, policy)).toEqual({ allowed: true });
  });
});
