import { describe, expect, it } from "vitest";
import { finishedSummary } from "../../app/runtime/report-runtime.ts";
import { DetailType } from "../../app/wiring.ts";

const summary = { kind: "summary", action: "posted", channel: "C0DQ", ts: "1773437400.000100" };
const event = (type: string) => ({ "detail-type": type, detail: { sessionId: "s-1" } });

describe("which notifications get a report", () => {
  it("a finished session whose summary was posted: the report goes in its thread", () => {
    for (const type of [DetailType.workflowCompleted, DetailType.workflowFailed])
      expect(finishedSummary(event(type), [{ kind: "live", channel: "C0DQ", ts: "1.1" }, summary])).toEqual({
        sessionId: "s-1",
        channel: "C0DQ",
        ts: "1773437400.000100",
      });
  });

  it("not progress, not an alarm, not a session whose summary was not posted (a retried event)", () => {
    expect(finishedSummary(event(DetailType.sessionProgress), [summary])).toBeUndefined();
    expect(finishedSummary({ Records: [] }, [summary])).toBeUndefined();
    expect(finishedSummary(event(DetailType.workflowCompleted), [])).toBeUndefined();
    expect(finishedSummary(null, [summary])).toBeUndefined();
  });
});
