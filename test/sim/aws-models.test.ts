import { describe } from "vitest";
import type { WorkMessage } from "../../app/pipeline/ports.ts";
import { SimQueue } from "../../sim/aws/queue.ts";
import { SimScheduler } from "../../sim/aws/scheduler.ts";
import { Simulation } from "../../sim/engine.ts";
import { FaultPlan, NO_FAULTS } from "../../sim/faults.ts";
import { Random } from "../../sim/random.ts";
import { resumeSchedulerContract } from "../contracts/resume-scheduler.contract.ts";
import { workQueueContract } from "../contracts/work-queue.contract.ts";

const T0 = Date.parse("2025-03-04T22:10:00.000Z");

function queueOn(sim: Simulation): SimQueue {
  const random = new Random(1);
  return new SimQueue(sim, random, new FaultPlan(random, NO_FAULTS), {
    name: "work",
    visibilityTimeoutMs: 360_000,
    maxConcurrency: 5,
  });
}

describe("SimQueue (the simulation's SQS)", () => {
  workQueueContract(async () => {
    const sim = new Simulation(T0);
    const queue = queueOn(sim);
    const waiting = () => queue.messages.filter((m) => !m.gone);
    return {
      queue,
      async receive() {
        const visible = waiting().filter((m) => m.visibleAt <= sim.now);
        for (const m of visible) m.gone = true;
        return visible.map((m) => JSON.parse(m.body) as WorkMessage);
      },
      async pass(ms) {
        const until = sim.now + ms;
        await sim.run({ until, maxEvents: 10_000 });
        sim.now = Math.max(sim.now, until);
      },
      delays: async () => waiting().map((m) => Math.round((m.visibleAt - m.sentAt) / 1000)),
    };
  });
});

describe("SimScheduler (the simulation's EventBridge Scheduler)", () => {
  resumeSchedulerContract(async () => {
    const sim = new Simulation(T0);
    const scheduler = new SimScheduler(sim, new Random(2), queueOn(sim));
    return { scheduler, scheduledAt: async (sessionId) => scheduler.scheduledAt(sessionId) };
  });
});
