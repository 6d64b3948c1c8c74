import { describe, expect, it } from "vitest";
import { context, divider, fields, header, section } from "../../app/slack/blocks.ts";
import { summaryMessage } from "../../app/slack/summary-views.ts";
import { renderForTerminal } from "../../app/slack/terminal.ts";

describe("renderForTerminal", () => {
  it("renders blocks as plain text without mrkdwn markers", () => {
    const text = renderForTerminal([
      header("dq run completed"),
      section(":white_check_mark: *Session* `s-1` by <@U0ALICE> &lt;ok&gt;"),
      fields(["*Passed*\n3", "*Failed*\n1"]),
      divider,
      context("see <https://example.com|the dashboard>"),
    ]);

    expect(text).toBe(
      [
        "DQ RUN COMPLETED",
        "✅ Session `s-1` by @U0ALICE <ok>",
        `${"Passed: 3".padEnd(34)}  Failed: 1`,
        "─".repeat(40),
        "see the dashboard",
      ].join("\n"),
    );
  });

  it("shows a summary's figures and retry command as the channel would", () => {
    const message = summaryMessage({
      schemaVersion: 1,
      sessionId: "s-9",
      status: "failed",
      totals: { symbols: 20, batches: 3 },
      counters: {
        batchesDone: 2,
        batchesFailed: 1,
        passed: 12,
        failed: 1,
        errored: 7,
        creditsUsed: 13,
        creditsWasted: 0,
      },
      creditsUsed: 13,
      durationMs: 130_000,
      startedBy: { kind: "cli" },
      failedSymbols: [{ symbol: "MSFT", status: "fail", issue: "stale: last bar 2026-01-13" }],
      error: "1 of 3 batches failed after every retry",
    });

    const text = renderForTerminal(message.blocks);

    expect(text).toContain("Passed / failed / errored: 12 / 1 / 7");
    expect(text).toContain("Duration: 2m 10s");
    expect(text).toContain("/dq retry s-9");
    expect(text).toContain("MSFT (fail) stale: last bar 2026-01-13");
  });
});
