import { defaultSettings, deployedTimings, staleAfterMs } from "../app/pipeline/context.ts";
import { DetailType } from "../app/wiring.ts";
import type { Arrival } from "./provider.ts";
import type { Scenario } from "./scenario.ts";
import type { SimWorld } from "./world.ts";

const WINDOW_MS = 60_000;
const SLOT_MS = 61_000;
const DAY_MS = 86_400_000;

export interface Violation {
  invariant: string;
  detail: string;
}

export interface SessionOutcome {
  sessionId: string;
  stack: number;
  status: string;
  symbols: number;
  /** When it was created and finished (or the end of the run), ms. */
  createdAt: number;
  finishedAt: number | undefined;
  bound: number;
  /** Symbols that ended `error` (could not be validated). */
  errored: number;
}

/**
 * The bound within which every session of the scenario must reach a final state: every symbol the account's
 * sessions ask for (retries counted twice) at the plan's rate, half again for faults (four times when another
 * program spends the same key), the recoveries the deployment's timings allow (two sweeps of a lost message after
 * its every receive, three redeliveries at the visibility timeout, half an hour), and a day per daily cap.
 */
export function boundFor(scenario: Scenario, createdAt: number): number {
  const symbols = scenario.sessions.reduce((n, s) => n + s.symbols.length * (s.retry ? 2 : 1), 0);
  const windows = Math.ceil(symbols / scenario.creditsPerMinute) + 5;
  const contended = scenario.provider.otherConsumerGapMs === undefined ? 1.5 : 4;
  const days =
    scenario.creditsPerDay === null ? 0 : Math.ceil((symbols * (contended > 2 ? 2 : 1)) / scenario.creditsPerDay);
  // A lost message is found by the sweep once its every receive is over, and a dead worker's message comes back
  // after the visibility timeout: the stack's processor timeout sets both. Allow two sweeps (one batch can lose
  // its message twice) and three redeliveries.
  const settings = defaultSettings({
    creditsPerWindow: 8,
    batchSize: 8,
    ...deployedTimings(scenario.processorTimeoutSeconds),
  });
  const recoveries = 2 * staleAfterMs(settings) + 3 * settings.visibilityTimeoutMs + 30 * 60_000;
  // A program that takes the whole plan for a while holds every session back that long.
  const other = scenario.provider.otherConsumer;
  const hog = other?.kind === "hog" ? other.forMs : 0;
  return createdAt + windows * SLOT_MS * contended + recoveries + days * DAY_MS + hog;
}

/** Every invariant the issue lists, over the whole world after the run. */
export function checkInvariants(
  world: SimWorld,
  end: number,
): { violations: Violation[]; sessions: SessionOutcome[]; republished: number } {
  const violations: Violation[] = [];
  let republished = 0;
  const sessions: SessionOutcome[] = [];
  const fail = (invariant: string, detail: string) => violations.push({ invariant, detail });
  const { scenario } = world;

  for (const stack of world.stacks) {
    for (const { session, sessionTtl, batches, results } of stack.store.everything()) {
      const id = session.sessionId;
      const createdAt = Date.parse(session.createdAt);
      const finishedAt = session.finishedAt === undefined ? undefined : Date.parse(session.finishedAt);
      const bound = boundFor(scenario, createdAt);
      const expired = sessionTtl * 1000 <= end && (finishedAt === undefined || sessionTtl * 1000 <= finishedAt);
      sessions.push({
        sessionId: id,
        stack: stack.index,
        status: session.status,
        symbols: session.totalSymbols,
        createdAt,
        finishedAt,
        bound,
        errored: session.counters.errored,
      });

      // Every session reaches a final state within its bound.
      if (session.status === "running")
        fail(
          "every session finishes",
          `${id} still running at the end (${batchSummary(batches.map((b) => b.value.status))})`,
        );
      else if ((finishedAt ?? end) > bound)
        fail(
          "every session finishes within its bound",
          `${id} finished ${minutes((finishedAt ?? end) - bound)} min past its bound`,
        );

      // Exactly one final event.
      const finals = stack.bus.published.filter(
        (e) =>
          e.detail.sessionId === id &&
          (e.detailType === DetailType.workflowCompleted || e.detailType === DetailType.workflowFailed),
      );
      // A worker that dies between PutEvents and recording it makes the next delivery publish again: the same
      // event (same eventId and type), counted apart as a re-publication. Anything else is a second event.
      const distinct = new Set(finals.map((e) => `${e.detailType}/${String(e.detail.eventId)}`));
      if (session.status !== "running" && (finals.length === 0 || distinct.size !== 1))
        fail("exactly one final event", `${id}: ${finals.length} final events (${[...distinct].join(", ")})`);
      republished += Math.max(0, finals.length - 1);
      if (session.status === "running" && finals.length > 0)
        fail("exactly one final event", `${id}: a final event while running`);

      // No result lost: a session that ran to its end has one result per symbol, counted once.
      if (session.status === "completed" || (session.status === "failed" && session.error === undefined)) {
        const universe = new Set(batches.flatMap((b) => b.value.symbols));
        const have = new Set(results.map((r) => r.value.symbol));
        const missing = [...universe].filter((s) => !have.has(s));
        if (missing.length > 0)
          fail(
            "no result lost",
            `${id}: ${missing.length} symbols without a result (${missing.slice(0, 3).join(", ")})`,
          );
        const c = session.counters;
        if (c.passed + c.failed + c.errored !== session.totalSymbols)
          fail(
            "no result lost",
            `${id}: counters hold ${c.passed + c.failed + c.errored} results for ${session.totalSymbols} symbols`,
          );
        if (c.batchesDone + c.batchesFailed !== session.totalBatches)
          fail(
            "no result lost",
            `${id}: ${c.batchesDone + c.batchesFailed} batches counted of ${session.totalBatches}`,
          );
      }

      // Every item outlives its session.
      const mustLiveUntil = finishedAt ?? end;
      const shortLived =
        (sessionTtl * 1000 <= mustLiveUntil ? 1 : 0) +
        batches.filter((b) => b.ttl * 1000 <= mustLiveUntil).length +
        results.filter((r) => r.ttl * 1000 <= mustLiveUntil).length;
      if (shortLived > 0 || expired)
        fail("every item outlives its session", `${id}: ${shortLived} items expire before the session ends`);

      // SessionOverdue for every session past its bound.
      const due = (session as { dueAt?: string }).dueAt;
      const stated = due === undefined ? bound : Date.parse(due);
      if ((finishedAt ?? end) > stated + 15 * 60_000 && !stack.telemetry.overdue.has(id))
        fail(
          "SessionOverdue emitted for every session past its bound",
          `${id}: ${minutes((finishedAt ?? end) - stated)} min past, never reported`,
        );
    }

    // A resume schedule never outlives its session.
    const finishedAtOf = new Map(
      stack.store
        .everything()
        .map(({ session }) => [session.sessionId, session.finishedAt && Date.parse(session.finishedAt)]),
    );
    for (const firing of stack.scheduler.firings) {
      const finished = finishedAtOf.get(firing.sessionId);
      if (typeof finished === "number" && finished < firing.at - 60_000)
        fail(
          "no resume schedule outlives its session",
          `${firing.sessionId}: resume fired ${minutes(firing.firedAt - finished)} min after it finished`,
        );
    }
    for (const sessionId of stack.scheduler.pending()) {
      const finished = finishedAtOf.get(sessionId);
      if (typeof finished === "number")
        fail("no resume schedule outlives its session", `${sessionId}: schedule left behind`);
    }
  }

  // The provider's limits, as the provider counts them (at request arrival).
  const dq = world.provider.arrivals.filter(
    (a) => a.consumer === "dq" && (a.kind === "served" || a.kind === "refused"),
  );
  const worst = maxInWindow(dq, WINDOW_MS);
  if (worst.credits > scenario.creditsPerMinute)
    fail(
      "never more than the plan in a rolling 60 s window",
      `${worst.credits} credits requested in the 60 s from ${new Date(worst.from).toISOString()}`,
    );
  const chargedByDay = new Map<string, number>();
  for (const a of world.provider.arrivals)
    if (a.consumer === "dq") chargedByDay.set(day(a.at), (chargedByDay.get(day(a.at)) ?? 0) + a.charged);
  if (scenario.creditsPerDay !== null) {
    const ledgers = [...new Set(world.stacks.map((s) => s.ledger))];
    for (const [d, charged] of chargedByDay) {
      if (charged > scenario.creditsPerDay) fail("never more than the day's limit", `${d}: ${charged} credits charged`);
      const reserved = ledgers.reduce((n, l) => n + (l.dayCounts().get(d) ?? 0), 0);
      if (reserved < charged)
        fail(
          "the ledger's day count is never below what the provider charged",
          `${d}: ledger ${reserved}, provider charged ${charged}`,
        );
    }
  }
  return { violations, sessions, republished };
}

/** The largest sum of credits in any window of `windowMs`, and where it starts. */
export function maxInWindow(arrivals: readonly Arrival[], windowMs: number): { credits: number; from: number } {
  const sorted = [...arrivals].sort((a, b) => a.at - b.at);
  let best = { credits: 0, from: 0 };
  let sum = 0;
  let first = 0;
  for (const a of sorted) {
    sum += a.credits;
    while ((sorted[first] as Arrival).at <= a.at - windowMs) sum -= (sorted[first++] as Arrival).credits;
    if (sum > best.credits) best = { credits: sum, from: (sorted[first] as Arrival).at };
  }
  return best;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function minutes(ms: number): string {
  return (ms / 60_000).toFixed(1);
}

function batchSummary(statuses: string[]): string {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
}
