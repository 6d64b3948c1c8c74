import { handleDeadLetter } from "../pipeline/dead-letter.ts";
import { getPipelineRuntime } from "../runtime/pipeline-runtime.ts";
import { sqsWorkHandler } from "./sqs-records.ts";

/** The DLQ's consumer: a batch that exhausted its receives is failed and counted, so its session finishes. */
export const createDeadLetterHandler = (getRuntime = getPipelineRuntime) =>
  sqsWorkHandler(getRuntime, ({ ctx }, message, record) =>
    handleDeadLetter(ctx, message, `received ${record.attributes.ApproximateReceiveCount} times without success`),
  );

export const handler = createDeadLetterHandler();
