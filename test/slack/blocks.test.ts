import { describe, expect, it } from "vitest";
import { cutList, escapeMrkdwn, formatDuration, header, progressBar } from "../../app/slack/blocks.ts";

describe("Block Kit helpers", () => {
  it("draws a ten-cell progress bar, full only at 100 %", () => {
    expect(progressBar(52)).toBe("▓▓▓▓▓░░░░░ 52%");
    expect(progressBar(99.9)).toBe("▓▓▓▓▓▓▓▓▓░ 99%");
    expect(progressBar(100)).toBe("▓▓▓▓▓▓▓▓▓▓ 100%");
    expect(progressBar(-3)).toBe("░░░░░░░░░░ 0%");
  });

  it("formats durations for people", () => {
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(725_000)).toBe("12m 05s");
    expect(formatDuration(3 * 3_600_000 + 7 * 60_000)).toBe("3h 07m");
  });

  it("cuts a list with a count of the rest", () => {
    expect(cutList(["a", "b", "c"], 2)).toEqual(["a", "b", "_+1 more_"]);
    expect(cutList(["a", "b"], 2, 40)).toEqual(["a", "b", "_+38 more_"]);
    expect(cutList(["a"], 2)).toEqual(["a"]);
  });

  it("escapes Slack's control characters in data", () => {
    expect(escapeMrkdwn("<!channel> & co")).toBe("&lt;!channel&gt; &amp; co");
  });

  it("keeps a header within Slack's 150 characters", () => {
    const block = header("x".repeat(400));
    expect(block.type === "header" && block.text.text.length).toBe(150);
  });
});
