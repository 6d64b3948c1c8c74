import type { EventPublisher } from "../../app/pipeline/ports.ts";
import type { DetailType } from "../../app/wiring.ts";
import type { Simulation } from "../engine.ts";

export interface PublishedEvent {
  detailType: DetailType;
  detail: Record<string, unknown>;
  at: number;
}

/** The EventBridge bus: what was published, in order. */
export class SimEventBus implements EventPublisher {
  readonly published: PublishedEvent[] = [];
  readonly #sim: Simulation;

  constructor(sim: Simulation) {
    this.#sim = sim;
  }

  async publish(detailType: DetailType, detail: Record<string, unknown>): Promise<void> {
    this.published.push({ detailType, detail: structuredClone(detail), at: this.#sim.now });
  }
}
