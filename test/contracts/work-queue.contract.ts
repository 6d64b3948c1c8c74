import { describe, expect, it } from "vitest";
import type { WorkMessage, WorkQueue } from "../../app/pipeline/ports.ts";

/** One implementation of the work queue, with what a test needs to watch it. */
export interface QueueHarness {
  queue: WorkQueue;
  /** The messages a consumer would receive now (each is then deleted). */
  receive(): Promise<WorkMessage[]>;
  /** Lets `ms` of the queue's time pass (real time on an emulator, virtual time in the simulation). */
  pass(ms: number): Promise<void>;
  /** The delay (whole seconds) each waiting message was given, as the queue (or the request to it) says. */
  delays(): Promise<number[]>;
}

/**
 * The WorkQueue port's contract, run against SqsWorkQueue on fauxqs and on moto and against the simulation's
 * queue: a message comes back as it was sent, not before its delay, and a delay is capped at SQS's 900 s.
 */
export function workQueueContract(newQueue: () => Promise<QueueHarness>): void {
  describe("the WorkQueue contract", () => {
    it("hands back each message as it was sent, batch and pump alike", async () => {
      const h = await newQueue();
      const batch: WorkMessage = { type: "batch", sessionId: "s1", batch: 3, attempt: 1, slotStart: 1_741_089_600_000 };
      const pump: WorkMessage = { type: "pump", sessionId: "s1", at: 1_741_089_900_000 };

      await h.queue.send(batch, 0);
      await h.queue.send(pump, 0);
      await h.pass(200);

      const received = await h.receive();
      expect(received).toHaveLength(2);
      expect(received).toEqual(expect.arrayContaining([batch, pump]));
    });

    it("keeps a delayed message back until its delay has passed", async () => {
      const h = await newQueue();
      const message: WorkMessage = { type: "pump", sessionId: "s2" };

      await h.queue.send(message, 2);
      const early = await h.receive();
      await h.pass(2_500);
      const late = await h.receive();

      expect(early).toEqual([]);
      expect(late).toEqual([message]);
    });

    it("rounds a delay up to whole seconds and caps it at SQS's 900 s", async () => {
      const h = await newQueue();

      await h.queue.send({ type: "pump", sessionId: "s3" }, 41.2);
      await h.queue.send({ type: "pump", sessionId: "s4" }, 3_600);

      expect((await h.delays()).sort((a, b) => a - b)).toEqual([42, 900]);
    });
  });
}
