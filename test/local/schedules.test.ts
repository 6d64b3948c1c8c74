import { afterEach, describe, expect, it } from "vitest";
import { parseProfile } from "../../app/config/load-profile.ts";
import { resourceNames } from "../../app/wiring.ts";
import { startSchedulerShim } from "../../local/aws/scheduler-shim.ts";
import { createLocalSchedules } from "../../local/schedules.ts";
import { manualClock, testStartInstant } from "../helpers/pinned-clock.ts";

const DAY_MS = 86_400_000;
const names = resourceNames("test");

describe("the local stack's schedules", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(profile: string) {
    const clock = manualClock(testStartInstant());
    const received: unknown[] = [];
    const shim = await startSchedulerShim({
      functions: { coordinator: async (event) => received.push(event) },
      stack: "test",
      clock: clock.now,
      // Fired by the test only, never by the shim's own timer.
      tickMs: 3_600_000,
    });
    cleanups.push(() => shim.stop());
    const created = await createLocalSchedules({
      names,
      stack: "test",
      endpoint: shim.endpoint,
      profile: parseProfile(profile, "test"),
    });
    return { shim, received, created };
  }

  it("runs the weekly deep check, as deployed, when the profile has one: Sundays 04:30 UTC, a year back", async () => {
    const { shim, received, created } = await start("deepCheck: {}\n");
    const deepName = "dq-test-deep-check";

    expect(created).toEqual([names.dailySchedule, deepName]);
    const next = shim.nextFireTime(deepName, names.scheduleGroup) as number;
    expect(new Date(next).getUTCDay()).toBe(0);
    expect(new Date(next).toISOString().slice(11)).toBe("04:30:00.000Z");
    expect(next - testStartInstant()).toBeGreaterThan(0);
    expect(next - testStartInstant()).toBeLessThanOrEqual(7 * DAY_MS);

    const fired = await shim.advanceTo(next);
    await shim.idle();

    const scheduledTime = new Date(next).toISOString().replace(".000Z", "Z");
    const deep = fired.find((f) => f.scheduleName === deepName);
    expect(deep?.payload).toEqual({
      startedBy: { kind: "schedule" },
      lookbackDays: 366,
      idempotencyKey: `deep-${scheduledTime}`,
    });
    // Sunday is not one of the daily schedule's days: the deep check is that day's only session.
    expect(received).toContainEqual(deep?.payload);
    const sameDay = (p: unknown) =>
      String((p as { idempotencyKey?: string }).idempotencyKey).includes(scheduledTime.slice(0, 10));
    expect(received.filter(sameDay)).toEqual([deep?.payload]);
  });

  it("fires on the profile's weekday with its lookback", async () => {
    const { shim } = await start("deepCheck:\n  weekday: tuesday\n  lookbackDays: 90\n");

    const next = shim.nextFireTime("dq-test-deep-check", names.scheduleGroup) as number;
    const fired = await shim.advanceTo(next);

    expect(new Date(next).getUTCDay()).toBe(2);
    expect(fired.find((f) => f.scheduleName === "dq-test-deep-check")?.payload).toMatchObject({ lookbackDays: 90 });
  });

  it("creates only the daily schedule when the profile has no deep check", async () => {
    const { shim, created } = await start("{}");

    expect(created).toEqual([names.dailySchedule]);
    expect(shim.nextFireTime("dq-test-deep-check", names.scheduleGroup)).toBeUndefined();
  });
});
