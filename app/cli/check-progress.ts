import cliProgress from "cli-progress";
import { formatDuration } from "./session-view.ts";

export interface ProgressContext {
  /** Whether stderr is a terminal. */
  stderrIsTTY: boolean;
  symbols: number;
  /** Symbols one window's credits pay for. */
  creditsPerWindow: number;
}

/**
 * A bar only where it helps and harms nothing: on a terminal (never into a pipe or a file, where it would be
 * noise in a log), and only for a run longer than one window (a run that fits in one window is over at once).
 */
export function showsProgress(context: ProgressContext): boolean {
  return context.stderrIsTTY && context.symbols > context.creditsPerWindow;
}

/** What a long check tells the operator while it runs: a bar with an ETA on a terminal, a line per event elsewhere. */
export interface CheckProgress {
  /** `done` symbols have their result. */
  update(done: number): void;
  /** Something worth knowing (a rate limit, a wait for credits). */
  note(message: string): void;
  stop(): void;
}

export function createCheckProgress(
  stderr: NodeJS.WritableStream,
  context: ProgressContext & { windowMs: number },
): CheckProgress {
  if (!showsProgress(context)) return { update() {}, note: (message) => stderr.write(`dq: ${message}\n`), stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr,
      format: "checking {bar} {value}/{total} symbols | ETA {remaining} {note}",
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  // Each window pays for one more batch, the first at once: the ETA is the windows still to wait for.
  const remaining = (done: number) => {
    const batches = Math.ceil((context.symbols - done) / context.creditsPerWindow);
    return formatDuration(Math.max(0, done === 0 ? batches - 1 : batches) * context.windowMs);
  };
  let done = 0;
  bar.start(context.symbols, 0, { remaining: remaining(0), note: "" });
  return {
    update(value) {
      done = value;
      bar.update(value, { remaining: remaining(value), note: "" });
    },
    note(message) {
      bar.update(done, { note: `(${message})` });
    },
    stop() {
      bar.stop();
    },
  };
}
