import { describe, expect, it } from "vitest";
import type { Issue } from "../../app/quality/types.ts";
import type { WorkflowDetail } from "../../app/slack/event-details.ts";
import { WorkflowDetailSchema } from "../../app/slack/event-details.ts";
import { findingsOf } from "../../app/slack/findings.ts";
import { headlineOf, issueLine, summaryMessage, threadMessages } from "../../app/slack/summary-views.ts";
import { BLOCK_KIT, blockProblems, blocksTextLength } from "../../local/slack/block-kit-limits.ts";
import { storedResult } from "../helpers/session-records.ts";

const DETAIL: WorkflowDetail = {
  schemaVersion: 1,
  sessionId: "s-1",
  status: "completed",
  totals: { symbols: 5_000, batches: 625 },
  counters: {
    batchesDone: 625,
    batchesFailed: 0,
    passed: 4_858,
    failed: 130,
    errored: 12,
    creditsUsed: 5_000,
    creditsWasted: 0,
  },
  creditsUsed: 5_000,
  durationMs: 600_000,
  startedBy: { kind: "schedule" },
  failedSymbols: [],
};

describe("summary views", () => {
  it("shows the universe's coverage after a session in rotation, and the lookback warning", () => {
    const coverage = {
      symbols: 5_000,
      rotation: 7,
      verifiedWithin: 7,
      neverChecked: 0,
      due: 312,
      failing: 14,
      errored: 0,
      overdue: 0,
      round: 12,
      at: "2026-01-14T06:10:00.000Z",
      lookbackWarning:
        "lookbackDays 10 is shorter than the rotation of 7 daily sessions: set lookbackDays to at least 13",
    };
    // Through the notifier's own boundary, as the event arrives.
    const detail = WorkflowDetailSchema.parse({ ...DETAIL, totals: { symbols: 800, batches: 100 }, coverage });

    const text = JSON.stringify(summaryMessage(detail).blocks);

    expect(text).toContain("5,000 symbols: every bar verified within the last 7 sessions; 312 due today; 14 failing");
    expect(text).toContain("set lookbackDays to at least 13");
    expect(JSON.stringify(summaryMessage(DETAIL).blocks)).not.toContain("Coverage");
  });

  it("says the outcome from the data, as the issue's example reads", () => {
    expect(headlineOf(DETAIL)).toEqual({
      icon: ":x:",
      text: "130 of 5,000 symbols failed, 12 could not be checked",
      problem: true,
    });
    expect(headlineOf({ ...DETAIL, counters: { ...DETAIL.counters, failed: 0, errored: 0 } }).text).toBe(
      "all 5,000 symbols passed",
    );
  });

  it("gives each finding its figures: date or range, field, values and difference, or an adjustment's factor", () => {
    const price: Issue = {
      code: "price_mismatch",
      severity: "error",
      message: "m",
      date: "2026-01-14",
      field: "open",
      subject: 10.5,
      reference: 10,
      diffPct: 5,
    };
    const split: Issue = {
      code: "adjustment_mismatch",
      severity: "error",
      message: "m",
      from: "2025-12-01",
      to: "2026-01-14",
      factor: 0.25,
    };
    const stale: Issue = { code: "stale", severity: "error", message: "last bar <2026-01-09>" };

    expect(issueLine("AAPL", [price, price])).toBe("• *AAPL* 2026-01-14 open 10.5 vs 10 (+5 %) _+1 more_");
    expect(issueLine("TSLA", [split])).toBe("• *TSLA* 2025-12-01 → 2026-01-14 ratio ×0.25");
    expect(issueLine("X&Y", [stale])).toBe("• *X&amp;Y* last bar &lt;2026-01-09&gt;");
  });

  it("packs 5,000 failures into at most 15 thread messages within Block Kit's limits, and says what was left out", () => {
    const results = Array.from({ length: 5_000 }, (_, i) =>
      storedResult("s-1", `S${String(i).padStart(5, "0")}`, {
        status: "fail",
        issues: [
          {
            code: "price_mismatch",
            severity: "error",
            message: "m",
            date: "2026-01-14",
            field: "close",
            subject: 101.25,
            reference: 100,
            diffPct: 1.25,
          },
        ],
      }),
    );
    const findings = findingsOf({ sessionId: "s-1", finishedAt: "2026-01-16T05:00:00.000Z" }, results, [], undefined);

    const messages = threadMessages(DETAIL, findings);

    expect(messages).toHaveLength(15);
    for (const m of messages) {
      expect(blockProblems(m.blocks)).toEqual([]);
      expect(blocksTextLength(m.blocks)).toBeLessThanOrEqual(BLOCK_KIT.blocksTotalText);
    }
    expect(JSON.stringify(messages.at(-1)?.blocks)).toContain("npx dq results s-1");
  });
});
