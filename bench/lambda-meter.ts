import type { FunctionName } from "../app/wiring.ts";
import type { LocalFunction } from "../local/aws/functions.ts";

/** One timed invocation of a local function. */
export interface TimedInvocation {
  functionName: FunctionName;
  /** The meter's clock at the call and when it settled. */
  startedAt: number;
  endedAt: number;
  ms: number;
  failed: boolean;
  /** For a processor invocation of a work message: what it carried. */
  message?: { type: string; sessionId?: string; slotStart?: number };
}

/** Times every invocation of the functions it wraps, as Lambda bills them (duration per invocation). */
export class LambdaMeter {
  readonly #clock: () => number;
  #invocations: TimedInvocation[] = [];

  /** `clock` stamps startedAt and endedAt: the local stack's clock, so they compare with credit slots. */
  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  wrap(functionName: FunctionName, fn: LocalFunction): LocalFunction {
    return async (event) => {
      const startedAt = this.#clock();
      const started = performance.now();
      let failed = false;
      try {
        return await fn(event);
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        const ms = performance.now() - started;
        this.#invocations.push({
          functionName,
          startedAt,
          endedAt: startedAt + ms,
          ms,
          failed,
          ...(functionName === "processor" ? { message: workMessageOf(event) } : {}),
        });
      }
    };
  }

  invocations(functionName?: FunctionName): TimedInvocation[] {
    return this.#invocations.filter((i) => functionName === undefined || i.functionName === functionName);
  }

  reset(): void {
    this.#invocations = [];
  }
}

/** The first record's work message (the mapping's batch size is 1). */
function workMessageOf(event: unknown): TimedInvocation["message"] {
  const body = (event as { Records?: { body?: string }[] }).Records?.[0]?.body;
  try {
    const message = JSON.parse(body ?? "{}") as { type?: unknown; sessionId?: unknown; slotStart?: unknown };
    return {
      type: String(message.type),
      ...(typeof message.sessionId === "string" ? { sessionId: message.sessionId } : {}),
      ...(typeof message.slotStart === "number" ? { slotStart: message.slotStart } : {}),
    };
  } catch {
    return { type: "unparsable" };
  }
}
