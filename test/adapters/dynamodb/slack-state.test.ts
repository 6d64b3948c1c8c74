import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoSlackState } from "../../../app/adapters/dynamodb/slack-state.ts";
import type { SlackState, UniverseSnapshot } from "../../../app/slack/ports.ts";
import { type LocalDynamo, startLocalDynamo } from "../../helpers/local-dynamo.ts";
import { MemorySlackState } from "../../helpers/slack-ports.ts";

let dynamo: LocalDynamo;
beforeAll(async () => {
  dynamo = await startLocalDynamo();
});
afterAll(async () => {
  await dynamo.stop();
});

const NOW = Date.parse("2026-01-16T05:00:00.000Z");
const DAY = 86_400_000;

function snapshot(sessionId: string, finishedAt: string, failing: string[]): UniverseSnapshot {
  return { sessionId, finishedAt, failing: Object.fromEntries(failing.map((s) => [s, finishedAt])) };
}

/** One contract, two implementations: the simulation's and tests' memory one, and the real adapter on dynalite. */
const implementations: [string, () => Promise<SlackState>][] = [
  ["MemorySlackState", async () => new MemorySlackState()],
  [
    "DynamoSlackState on dynalite",
    async () => new DynamoSlackState({ client: dynamo.documents, tableName: await dynamo.table() }),
  ],
];

describe.each(implementations)("%s", (_name, make) => {
  it("keeps a mute until its end, and ends it on unmute", async () => {
    const state = await make();
    await state.mute({ symbol: "AAPL", until: new Date(NOW + 7 * DAY).toISOString(), by: "U0ALICE", at: "x" });
    await state.mute({ symbol: "BRK.B", until: new Date(NOW + DAY).toISOString(), by: "U0BOB", at: "x" });

    expect((await state.activeMutes(NOW)).map((m) => m.symbol)).toEqual(["AAPL", "BRK.B"]);
    expect((await state.activeMutes(NOW + 2 * DAY)).map((m) => m.symbol)).toEqual(["AAPL"]);
    expect(await state.unmute("AAPL", NOW)).toBe(true);
    expect(await state.unmute("AAPL", NOW)).toBe(false);
    expect(await state.unmute("MSFT", NOW)).toBe(false);
    expect((await state.activeMutes(NOW + 1)).map((m) => m.symbol)).toEqual(["BRK.B"]);
  });

  it("answers the universe's session before the one asking, whatever was recorded since", async () => {
    const state = await make();
    const a = snapshot("s-a", "2026-01-14T05:00:00.000Z", ["X"]);
    const b = snapshot("s-b", "2026-01-15T05:00:00.000Z", ["X", "Y"]);

    expect(await state.previousSnapshot("schedule", "s-a")).toBeUndefined();
    await state.recordSnapshot("schedule", a);
    expect(await state.previousSnapshot("schedule", "s-b")).toEqual(a);
    await state.recordSnapshot("schedule", b);
    // A redelivered event of s-b still compares with s-a; recording it again changes nothing.
    await state.recordSnapshot("schedule", b);
    expect(await state.previousSnapshot("schedule", "s-b")).toEqual(a);
    expect(await state.previousSnapshot("schedule", "s-c")).toEqual(b);
    // An older session arriving late is not the last one.
    await state.recordSnapshot("schedule", a);
    expect(await state.previousSnapshot("schedule", "s-c")).toEqual(b);
    expect(await state.previousSnapshot("symbols-other", "s-c")).toBeUndefined();
  });

  it("lets one notifier post a summary, and the next attempt go on from where a failed one stopped", async () => {
    const state = await make();

    const claim = await state.claimSummary("s-1", NOW, 60_000);
    expect(claim).toMatchObject({ sessionId: "s-1", threadPosted: 0 });
    expect(await state.claimSummary("s-1", NOW + 1_000, 60_000)).toBeUndefined();
    await state.saveSummary({
      ...(claim as NonNullable<typeof claim>),
      channel: "C1",
      ts: "1.000001",
      threadPosted: 2,
    });
    await state.releaseSummary("s-1");

    const again = await state.claimSummary("s-1", NOW + 2_000, 60_000);
    expect(again).toMatchObject({ channel: "C1", ts: "1.000001", threadPosted: 2 });
    await state.saveSummary({ ...(again as NonNullable<typeof again>), done: true });
    expect(await state.claimSummary("s-1", NOW + 10 * 60_000, 60_000)).toBeUndefined();
  });

  it("takes over a claim that ran out", async () => {
    const state = await make();
    await state.claimSummary("s-2", NOW, 60_000);

    expect(await state.claimSummary("s-2", NOW + 30_000, 60_000)).toBeUndefined();
    expect(await state.claimSummary("s-2", NOW + 61_000, 60_000)).toMatchObject({ sessionId: "s-2" });
  });
});
