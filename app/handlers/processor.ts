import { processBatch } from "../pipeline/process-batch.ts";
import { pump } from "../pipeline/pump.ts";
import { getPipelineRuntime } from "../runtime/pipeline-runtime.ts";
import { sqsWorkHandler } from "./sqs-records.ts";

/** The work queue's consumer: a batch message runs the batch; a pump message feeds the session's queue. */
export const createProcessorHandler = (getRuntime = getPipelineRuntime) =>
  sqsWorkHandler(getRuntime, ({ ctx }, message) =>
    message.type === "batch"
      ? processBatch(ctx, message)
      : pump(ctx, message.sessionId, { sweep: true, ...(message.at === undefined ? {} : { dueAt: message.at }) }),
  );

export const handler = createProcessorHandler();
