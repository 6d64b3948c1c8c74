/** Base of every error the local AWS shims raise, so a caller can tell a local-stack fault from an app fault. */
export class LocalAwsError extends Error {
  override name = "LocalAwsError";
}

/** A target names a function that the local stack has not registered. */
export class UnknownFunctionError extends LocalAwsError {
  override name = "UnknownFunctionError";
  readonly functionName: string;
  constructor(functionName: string) {
    super(`no local function registered for ${JSON.stringify(functionName)}`);
    this.functionName = functionName;
  }
}

/** A schedule expression the Scheduler shim cannot parse, or AWS would reject. */
export class InvalidScheduleExpressionError extends LocalAwsError {
  override name = "InvalidScheduleExpressionError";
  readonly expression: string;
  constructor(expression: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid schedule expression ${JSON.stringify(expression)}: ${reason}`, options);
    this.expression = expression;
  }
}

/** An EventBridge pattern that uses more than the exact-value matching the shim implements. */
export class UnsupportedEventPatternError extends LocalAwsError {
  override name = "UnsupportedEventPatternError";
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`unsupported event pattern at ${path}: ${reason}`);
    this.path = path;
  }
}

/** An emulator or shim that did not start. */
export class EmulatorStartError extends LocalAwsError {
  override name = "EmulatorStartError";
  readonly emulator: string;
  constructor(emulator: string, options?: { cause?: unknown }) {
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : "";
    super(`${emulator} did not start${reason}`, options);
    this.emulator = emulator;
  }
}
