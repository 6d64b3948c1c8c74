import { deepCheckScheduleName } from "../app/config/profile-settings.ts";
import { METRICS, resourceNames } from "../app/wiring.ts";

/**
 * Physical names of what only the cloud stack has (alarms, dashboard, secrets, the start-failure queue),
 * next to the shared names from the wiring module.
 */
export function infraNames(stack: string) {
  const shared = resourceNames(stack);
  const prefix = `dq-${stack}`;
  return {
    ...shared,
    /** Failed starts: the daily schedule's invocations and the coordinator's failed asynchronous runs. */
    startDeadLetterQueue: `${prefix}-start-dlq`,
    /** Dead letters the dead-letter handler itself could not process, kept for a person. */
    parkedQueue: `${prefix}-work-parked`,
    /** Events, alarm notifications and notifier runs that never reached or never passed the notifier. */
    undeliveredQueue: `${prefix}-undelivered`,
    alarmTopic: `${prefix}-alarms`,
    /** The weekly deep check's schedule, beside the daily one, when the profile has a deep check. */
    deepCheckSchedule: deepCheckScheduleName(stack),
    /** The datalake profile, when it is too large for the functions' environments (infra/profile.ts). */
    profileParameter: `/dq/${stack}/profile`,
    dashboard: prefix,
    alarm: (what: string) => `${prefix}-${what}`,
    /** The dimensions of every dq metric this stack's functions write. */
    metricsDimensions: METRICS.dimensions(stack),
  };
}
export type InfraNames = ReturnType<typeof infraNames>;

/** Where the functions' metrics land (app/runtime/telemetry.ts writes them): see METRICS in the wiring. */
export const METRICS_NAMESPACE = METRICS.namespace;
