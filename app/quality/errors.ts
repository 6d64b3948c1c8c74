/**
 * A check called with options or an input it cannot work with. A configuration or programming error that
 * would hit every symbol alike, so it is thrown rather than turned into a per-symbol `error` result.
 */
export class InvalidCheckInputError extends Error {
  override name = "InvalidCheckInputError";
  /** The option or input field at fault, e.g. `tolerances.closePct` or `asOf`. */
  readonly field: string;
  constructor(field: string, problem: string, options?: { cause?: unknown }) {
    super(`invalid check input ${field}: ${problem}`, options);
    this.field = field;
  }
}
