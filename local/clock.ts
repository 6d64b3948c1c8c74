/**
 * The local stack's one clock: real time plus an offset that only moves forward. Every part of the stack that
 * judges time (ledger, emulator, scheduler shim) reads it, so a test can jump to the next UTC day and all of them
 * agree, while SQS delays keep running in real time.
 */
export class LocalClock {
  #offsetMs = 0;

  /** @param startAt the instant the clock reads now (tests pin it so nothing depends on the real date). @default real time */
  constructor(startAt?: number) {
    if (startAt !== undefined) this.#offsetMs = startAt - Date.now();
  }

  readonly now = (): number => Date.now() + this.#offsetMs;

  /** Moves the clock forward to `ms` (never back). */
  advanceTo(ms: number): void {
    this.#offsetMs = Math.max(this.#offsetMs, ms - Date.now());
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }
}
