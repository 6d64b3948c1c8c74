import { CreateScheduleCommand, DeleteScheduleCommand, type SchedulerClient } from "@aws-sdk/client-scheduler";
import type { ResumeScheduler } from "../../pipeline/ports.ts";
import { SCHEDULE } from "../../wiring.ts";

export interface SchedulerResumeOptions {
  client: SchedulerClient;
  /** The stack's schedule group. */
  groupName: string;
  /** ARN of the work queue the resume message goes to. */
  queueArn: string;
  /** Role EventBridge Scheduler assumes to send to the queue. */
  roleArn: string;
  /** Where Scheduler puts a resume it could not deliver after its retries, so a session never stays paused silently. */
  deadLetterArn?: string;
}

/** A resume schedule that could not be created or deleted. */
export class ResumeScheduleError extends Error {
  override name = "ResumeScheduleError";
  readonly sessionId: string;
  readonly scheduleName: string;
  readonly groupName: string;
  constructor(
    action: "create" | "delete",
    sessionId: string,
    scheduleName: string,
    groupName: string,
    options?: ErrorOptions,
  ) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.name}: ${options.cause.message}` : "";
    super(`cannot ${action} schedule ${groupName}/${scheduleName} of session ${sessionId}${reason}`, options);
    this.sessionId = sessionId;
    this.scheduleName = scheduleName;
    this.groupName = groupName;
  }
}

export const resumeScheduleName = (sessionId: string) => `resume-${sessionId}`;

/**
 * `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the second: a resume that fires before the new day's credits
 * exist would only pause the session again.
 */
export function atExpression(at: Date): string {
  const seconds = Math.ceil(at.getTime() / 1000);
  return `at(${new Date(seconds * 1000).toISOString().slice(0, 19)})`;
}

/**
 * One-time EventBridge Scheduler schedules that put a `pump` message on the work queue, deleted by the Scheduler
 * after they fire. Both calls are idempotent, so a redelivered pause or resume does no harm.
 */
export class SchedulerResume implements ResumeScheduler {
  readonly #client: SchedulerClient;
  readonly #group: string;
  readonly #queueArn: string;
  readonly #roleArn: string;
  readonly #deadLetterArn: string | undefined;

  constructor(options: SchedulerResumeOptions) {
    this.#client = options.client;
    this.#group = options.groupName;
    this.#queueArn = options.queueArn;
    this.#roleArn = options.roleArn;
    this.#deadLetterArn = options.deadLetterArn || undefined;
  }

  async scheduleResume(sessionId: string, at: Date): Promise<void> {
    const name = resumeScheduleName(sessionId);
    try {
      await this.#client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.#group,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: "UTC",
          FlexibleTimeWindow: { Mode: "OFF" },
          ActionAfterCompletion: "DELETE",
          Target: {
            Arn: this.#queueArn,
            RoleArn: this.#roleArn,
            Input: JSON.stringify({ type: "pump", sessionId }),
            RetryPolicy: {
              MaximumRetryAttempts: SCHEDULE.retryAttempts,
              MaximumEventAgeInSeconds: SCHEDULE.maxEventAgeSeconds,
            },
            ...(this.#deadLetterArn ? { DeadLetterConfig: { Arn: this.#deadLetterArn } } : {}),
          },
        }),
      );
    } catch (error) {
      // Already scheduled: a redelivered pause. The session pauses until one UTC day ends, so its time is the same.
      if (error instanceof Error && error.name === "ConflictException") return;
      throw new ResumeScheduleError("create", sessionId, name, this.#group, { cause: error });
    }
  }

  async cancelResume(sessionId: string): Promise<void> {
    const name = resumeScheduleName(sessionId);
    try {
      await this.#client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.#group }));
    } catch (error) {
      if (error instanceof Error && error.name === "ResourceNotFoundException") return;
      throw new ResumeScheduleError("delete", sessionId, name, this.#group, { cause: error });
    }
  }
}
