import { describe, expect, it } from "vitest";
import type { ResumeScheduler } from "../../app/pipeline/ports.ts";

/** One implementation of the resume scheduler, with what a test needs to watch it. */
export interface SchedulerHarness {
  scheduler: ResumeScheduler;
  /** When the session's resume schedule fires (ms), or undefined when it has none. */
  scheduledAt(sessionId: string): Promise<number | undefined>;
}

const MIDNIGHT = new Date("2025-03-05T00:00:00.000Z");

/**
 * The ResumeScheduler port's contract, run against SchedulerResume on the Scheduler shim and on moto and against
 * the simulation's Scheduler: one schedule per session, at the second, created twice without harm, deleted once.
 */
export function resumeSchedulerContract(newScheduler: () => Promise<SchedulerHarness>): void {
  describe("the ResumeScheduler contract", () => {
    it("schedules a session's resume at the time given, rounded up to the second", async () => {
      const h = await newScheduler();

      await h.scheduler.scheduleResume("s1", MIDNIGHT);
      await h.scheduler.scheduleResume("s2", new Date("2025-03-04T23:59:59.001Z"));

      expect(await h.scheduledAt("s1")).toBe(MIDNIGHT.getTime());
      expect(await h.scheduledAt("s2")).toBe(MIDNIGHT.getTime());
    });

    it("accepts the same resume twice and keeps one schedule", async () => {
      const h = await newScheduler();
      await h.scheduler.scheduleResume("s3", MIDNIGHT);

      await expect(h.scheduler.scheduleResume("s3", MIDNIGHT)).resolves.toBeUndefined();
      expect(await h.scheduledAt("s3")).toBe(MIDNIGHT.getTime());
    });

    it("deletes a resume, and deletes one that does not exist without complaint", async () => {
      const h = await newScheduler();
      await h.scheduler.scheduleResume("s4", MIDNIGHT);

      await h.scheduler.cancelResume("s4");
      await expect(h.scheduler.cancelResume("s4")).resolves.toBeUndefined();
      await expect(h.scheduler.cancelResume("never-scheduled")).resolves.toBeUndefined();

      expect(await h.scheduledAt("s4")).toBeUndefined();
    });
  });
}
