import type { Log } from "../app/pipeline/context.ts";

/**
 * The local stack's log on a terminal: warnings and errors as one line each on stderr, the rest only when
 * verbose (then as the same JSON the Lambda functions write). Secrets never reach a log line: none is logged.
 */
export function terminalLog(options: { verbose?: boolean; stream?: NodeJS.WritableStream } = {}): Log {
  const stream = options.stream ?? process.stderr;
  const line = (level: string, message: string, extra?: Record<string, unknown>) => {
    if (options.verbose) {
      stream.write(`${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...extra })}\n`);
      return;
    }
    const context = extra?.sessionId
      ? ` [${String(extra.sessionId)}${extra.batch !== undefined ? ` batch ${String(extra.batch)}` : ""}]`
      : "";
    const detail = extra?.error ? `: ${String(extra.error)}` : "";
    stream.write(`${level}${context} ${message}${detail}\n`);
  };
  return {
    debug: (m, e) => {
      if (options.verbose) line("DEBUG", m, e);
    },
    info: (m, e) => {
      if (options.verbose) line("INFO", m, e);
    },
    warn: (m, e) => line("WARN", m, e),
    error: (m, e) => line("ERROR", m, e),
  };
}
