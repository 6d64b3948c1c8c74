import { describe, expect, it } from "vitest";
import type { CoverageFigures } from "../../app/pipeline/coverage.ts";
import { sessionListMessage, statusMessage } from "../../app/slack/session-views.ts";
import { sessionInProgress, sessionRecord } from "../helpers/session-records.ts";

const COVERAGE: CoverageFigures = {
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
};
const LINE = "5,000 symbols: every bar verified within the last 7 sessions; 312 due today; 14 failing";

describe("/dq status with coverage", () => {
  it("shows the universe's coverage under a running session of it", () => {
    const view = { session: sessionInProgress(), batchesFinished: 3, progressPct: 3, etaMs: 60_000, failedSymbols: [] };

    expect(JSON.stringify(statusMessage({ ...view, coverage: COVERAGE }).blocks)).toContain(LINE);
    expect(JSON.stringify(statusMessage(view).blocks)).not.toContain("Coverage");
  });

  it("shows it under a finished session, as its summary did", () => {
    const session = sessionRecord("s1", { status: "completed", finishedAt: "2026-01-14T06:10:00.000Z" });
    const view = { session, batchesFinished: 1, progressPct: 100, etaMs: null, failedSymbols: [], coverage: COVERAGE };

    expect(JSON.stringify(statusMessage(view).blocks)).toContain(LINE);
  });

  it("shows it under the recent sessions, with the lookback warning when there is one", () => {
    const warning = "lookbackDays 10 is shorter than the rotation of 7 daily sessions: set lookbackDays to at least 13";
    const text = JSON.stringify(
      sessionListMessage([sessionRecord("s1")], { ...COVERAGE, lookbackWarning: warning }).blocks,
    );

    expect(text).toContain(LINE);
    expect(text).toContain("at least 13");
  });
});
