import { describe, expect, it } from "vitest";
import type { DailyScheduleInfo } from "../../app/slack/ports.ts";
import { scheduleMessage } from "../../app/slack/reply-views.ts";

const daily: DailyScheduleInfo = {
  name: "dq-prod-daily",
  state: "DISABLED",
  expression: "cron(30 4 ? * TUE-SAT *)",
  timezone: "UTC",
  time: "04:30",
  days: "TUE-SAT",
};

describe("/dq schedule's reply", () => {
  it("says the weekly deep check was paused with the daily run, and how to resume both", () => {
    const message = scheduleMessage(
      { ...daily, alongside: [{ name: "dq-prod-deep-check", state: "DISABLED" }] },
      "Paused.",
    );
    expect(message.text).toBe("Paused.\nDaily dq run: 04:30 UTC, TUE-SAT, paused");
    expect(JSON.stringify(message.blocks)).toContain(
      "`dq-prod-deep-check` paused with it: no scheduled session starts until `/dq schedule resume`.",
    );
  });

  it("says it was resumed with it, and says nothing of it on a plain show", () => {
    const resumed = scheduleMessage(
      { ...daily, state: "ENABLED", alongside: [{ name: "dq-prod-deep-check", state: "ENABLED" }] },
      "Resumed.",
    );
    expect(JSON.stringify(resumed.blocks)).toContain("`dq-prod-deep-check` resumed with it.");
    expect(JSON.stringify(scheduleMessage(daily).blocks)).not.toContain("deep-check");
  });
});
