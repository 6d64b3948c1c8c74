import { UserFacingError } from "../domain/errors.ts";

/**
 * What `dq` exits with. Every command prints its result on stdout; a failure prints one line on stderr
 * (`dq: …`), except an unexpected error, which prints its stack trace.
 */
export const ExitCode = {
  /** The command did what it was asked: `dq check` and `dq results` printed the report, whatever it finds. */
  ok: 0,
  /** An unexpected error (a bug): the stack trace is printed. */
  unexpected: 1,
  /** Bad input or environment: an unknown option, a bad symbol or date, an unknown datalake, a refused key, … */
  usage: 2,
  /**
   * The command ran, but what it waited for did not succeed: the session of `dq run --wait` or `dq retry --wait`
   * ended failed or cancelled, `dq demo` missed a defect or raised a false alarm, the app refused `dq slack`.
   */
  unsuccessful: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes as `dq --help` shows them. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  done (dq check and dq results print the report whatever it finds)
  1  unexpected error (a bug: the stack trace is printed)
  2  bad input or environment (one line on stderr: unknown option, bad symbol or date, unknown datalake,
     provider refusing the key, no local stack, …)
  3  the command ran but its outcome is not a success: the session of run/retry --wait ended failed or
     cancelled, dq demo missed a defect, the Slack app refused dq slack`;

/** Bad input on the command line or in the environment: printed as one line, exit code 2. */
export class CliError extends UserFacingError {
  override name = "CliError";
}

/** The command ran, but its outcome is not a success (a waited-for session failed): one line, exit code 3. */
export class UnsuccessfulOutcomeError extends Error {
  override name = "UnsuccessfulOutcomeError";
}
