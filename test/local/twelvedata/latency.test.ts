import { afterEach, describe, expect, it } from "vitest";
import type { TwelveDataEmulator } from "../../../local/twelvedata/emulator.ts";
import { latencyModel, PROVIDER_LATENCY } from "../../../local/twelvedata/latency.ts";
import { manualClock } from "../../helpers/pinned-clock.ts";
import { AFTER_CLOSE, get, startFixtureEmulator } from "../../helpers/twelvedata-emulator.ts";
import { waitUntil } from "../../helpers/wait-until.ts";

let emulator: TwelveDataEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe("the provider's latency, as the emulator plays it", () => {
  it("grows with symbols and bars, has a tail, and takes the same share of a scaled window", () => {
    const real = latencyModel(PROVIDER_LATENCY, { windowSeconds: 60, seed: 1 });
    const draw = (symbols: number, bars: number, n = 4_000) => Array.from({ length: n }, () => real({ symbols, bars }));

    const month = draw(8, 8 * 22);
    const year = draw(8, 8 * 252);
    expect(median(month)).toBeGreaterThan(700);
    expect(median(month)).toBeLessThan(1_100);
    expect(median(year)).toBeGreaterThan(1_800);
    expect(median(year)).toBeLessThan(2_800);
    expect(median(draw(1, 22))).toBeLessThan(median(month));
    // The tail: about 3 % of answers three times slower than the median.
    const typical = median(year);
    const slow = year.filter((ms) => ms > 2.2 * typical).length / year.length;
    expect(slow).toBeGreaterThan(0.015);
    expect(slow).toBeLessThan(0.06);

    const scaled = latencyModel(PROVIDER_LATENCY, { windowSeconds: 2, seed: 1 });
    const again = latencyModel(PROVIDER_LATENCY, { windowSeconds: 60, seed: 1 });
    const first = again({ symbols: 8, bars: 176 });
    expect(scaled({ symbols: 8, bars: 176 })).toBeCloseTo(first / 30, 6);
  });

  it("charges a request when it arrives and answers it later", async () => {
    const clock = manualClock(AFTER_CLOSE);
    emulator = await startFixtureEmulator({
      clock: clock.now,
      creditsPerMinute: 8,
      latency: { ...PROVIDER_LATENCY, sigma: 0, tailShare: 0 },
    });
    const started = performance.now();
    let answeredAfter: number | undefined;
    const pending = get(emulator.url, "/time_series", { symbol: "AAPL,MSFT", interval: "1day", outputsize: "5" }).then(
      (answer) => {
        answeredAfter = performance.now() - started;
        return answer;
      },
    );
    // Charged on arrival: the credits are counted while the answer is still on its way.
    const counted = emulator;
    await waitUntil(() => counted.counts().credits === 2, { timeoutMs: 5_000, intervalMs: 2, what: "the charge" });
    expect(answeredAfter).toBeUndefined();
    const answered = await pending;
    expect(answered.status).toBe(200);
    // 250 + 2 × 60 + 10 bars × 0.8 = 378 ms at a real 60 s window.
    expect(answeredAfter).toBeGreaterThanOrEqual(377);
  });
});
