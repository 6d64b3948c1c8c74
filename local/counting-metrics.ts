import type { MetricName, MetricsSink } from "../app/pipeline/context.ts";

/** The local stack's metrics: kept in memory (the same counts the functions emit as EMF on AWS). */
export class CountingMetrics implements MetricsSink {
  readonly totals = new Map<MetricName, number>();

  count(name: MetricName, value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }

  get(name: MetricName): number {
    return this.totals.get(name) ?? 0;
  }
}
