import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Log, MetricName, MetricsSink } from "../pipeline/context.ts";
import { ENV, METRICS } from "../wiring.ts";

export const METRICS_NAMESPACE = METRICS.namespace;

/** Who is logging and counting: `dq-<stack>` and the stack on AWS (set by infra), plain `dq` elsewhere. */
export function telemetryIdentity(env: NodeJS.ProcessEnv = process.env): { serviceName: string; stack?: string } {
  const stack = env[ENV.stack] || undefined;
  return { serviceName: env[ENV.powertoolsServiceName] || "dq", ...(stack ? { stack } : {}) };
}

/** Structured JSON logs (Powertools Logger); sessionId and correlationId are appended per message handled. */
export function createLogger(serviceName = telemetryIdentity().serviceName): Logger {
  return new Logger({ serviceName });
}

/** Counts in CloudWatch embedded metric format; flushed by the handler after each invocation. */
export class EmfMetrics implements MetricsSink {
  readonly metrics: Metrics;

  constructor(identity: { serviceName: string; stack?: string } = telemetryIdentity()) {
    this.metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: identity.serviceName,
      ...(identity.stack ? { defaultDimensions: { stack: identity.stack } } : {}),
    });
  }

  count(name: MetricName, value: number): void {
    if (value !== 0) this.metrics.addMetric(name, MetricUnit.Count, value);
  }

  flush(): void {
    this.metrics.publishStoredMetrics();
  }
}

/** Adapts Powertools' Logger to the pipeline's Log port. */
export function asLog(logger: Logger): Log {
  return {
    debug: (message, extra) => logger.debug(message, extra ?? {}),
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}
