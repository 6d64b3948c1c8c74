/**
 * The instant every clock-driven test starts at. Tests never read the real date: a stack, a sample datalake and
 * an as-of all start here, so a run is the same on any weekday, at any hour, in any time zone. `DQ_TEST_START`
 * moves it: scripts/pinned-clock-matrix.sh (a step of `.ci/run`) runs the files that read time at several instants,
 * with the machine's clock moved there too.
 * @default a Wednesday afternoon in UTC, mid-session in New York
 */
export const DEFAULT_TEST_START = "2026-01-14T15:00:00Z";

export function testStartInstant(): number {
  const raw = process.env.DQ_TEST_START ?? DEFAULT_TEST_START;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new Error(`DQ_TEST_START is not an ISO instant: ${raw}`);
  return ms;
}

/** A clock the test moves by hand. */
export function manualClock(start: number) {
  let now = start;
  return {
    now: () => now,
    set: (ms: number) => {
      now = ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}
