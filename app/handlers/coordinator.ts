import { OperationError } from "../pipeline/operations.ts";
import { StartInputError, type StartResult } from "../pipeline/start-session.ts";
import { getPipelineRuntime, type PipelineRuntime } from "../runtime/pipeline-runtime.ts";

export type CoordinatorResult = StartResult | { status: "rejected"; error: string };

/**
 * Starts a session: from the daily schedule, from Slack (asynchronous invoke) or from `dq run`. Bad input is
 * answered with `rejected` and one line, not thrown: a retry of the same bad input could never succeed.
 */
export const createCoordinatorHandler =
  (getRuntime: () => Promise<PipelineRuntime> = getPipelineRuntime) =>
  async (event: unknown): Promise<CoordinatorResult> => {
    const runtime = await getRuntime();
    try {
      return await runtime.operations.start(event ?? {});
    } catch (error) {
      if (error instanceof StartInputError || error instanceof OperationError) {
        runtime.ctx.log.error("start request rejected", { error: error.message });
        return { status: "rejected", error: error.message };
      }
      throw error;
    } finally {
      runtime.flush();
    }
  };

export const handler = createCoordinatorHandler();
