import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { InvalidMessageError, parseWorkMessage } from "../adapters/sqs/work-message.ts";
import type { WorkMessage } from "../pipeline/ports.ts";
import type { PipelineRuntime } from "../runtime/pipeline-runtime.ts";

/**
 * The SQS handlers' common shape: each record is parsed at the boundary; a body that fails its schema is logged
 * and dropped (never retried forever); any other failure marks just that record failed (ReportBatchItemFailures).
 */
export function sqsWorkHandler(
  getRuntime: () => Promise<PipelineRuntime>,
  handle: (runtime: PipelineRuntime, message: WorkMessage, record: SQSRecord) => Promise<unknown>,
) {
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const runtime = await getRuntime();
    const processor = new BatchProcessor(EventType.SQS);
    try {
      return await processPartialResponse(
        event,
        async (record: SQSRecord) => {
          let message: WorkMessage;
          try {
            message = parseWorkMessage(record.body);
          } catch (error) {
            if (!(error instanceof InvalidMessageError)) throw error;
            runtime.ctx.log.error("dropped an invalid work message", {
              messageId: record.messageId,
              error: error.message,
              body: error.bodyPreview,
            });
            return;
          }
          const outcome = await handle(runtime, message, record);
          runtime.ctx.log.info("work message handled", { sessionId: message.sessionId, type: message.type, outcome });
        },
        processor,
        { context, throwOnFullBatchFailure: false },
      );
    } finally {
      runtime.flush();
    }
  };
}
