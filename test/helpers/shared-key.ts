/**
 * The bounds issue #16's tests hold dq to when another program shares the provider key, stated once so the tests
 * and docs/reliability.md agree.
 */
export const SHARED_KEY_BOUNDS = {
  /** 429 answers (a refused request, or a partial answer) dq may meet in any one window of the plan. */
  max429sPerWindow: 2,
  /** Windows beyond symbols ÷ (credits left a window) a session may take: learning the share, the first 429. */
  marginWindows: 5,
  /**
   * And a tenth more: a slot is W + m (1.0167 windows), and a split batch or a refused one re-reserves a later slot
   * while the ledger learns the share.
   */
  slotStretch: 1.1,
  /** The most windows a session of `symbols` may take when `left` credits a window are free to it. */
  windows(symbols: number, left: number): number {
    return Math.ceil(symbols / left) * this.slotStretch + this.marginWindows;
  },
} as const;

/** The most instants of `times` (ms, any order) within one window of `windowMs`. */
export function worst429sPerWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = 0;
  let from = 0;
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[from] as number) >= windowMs) from++;
    worst = Math.max(worst, i - from + 1);
  }
  return worst;
}
