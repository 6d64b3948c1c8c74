import type { SessionRecord } from "../app/pipeline/model.ts";
import type { BenchStack, StartedSession } from "./bench-stack.ts";
import type { BatchTimes } from "./table-scan.ts";

export interface DqSessionPlan {
  symbols: readonly string[];
  /** Start this session this long after the first. @default 0 */
  offsetMs?: number;
}

export interface DqSessionOutcome {
  started: StartedSession;
  final: SessionRecord;
}

export interface DqPhaseOutcome {
  sessions: DqSessionOutcome[];
  /** Stack-clock time of the first coordinator call. */
  startedAt: number;
  /** The daily cap's pauses (ISO resume times), and the stack-clock times the clock was moved on to them. */
  pauses: string[];
  resumedAt: number[];
}

/**
 * Runs dq's sessions (possibly overlapping) through the coordinator and follows them to their end. A session the
 * daily cap pauses is resumed as on AWS: once the day's queued batches have run, the stack's clock jumps to the
 * resume time and the Scheduler shim fires the one-time schedule.
 */
export async function runDqSessions(
  b: BenchStack,
  plans: readonly DqSessionPlan[],
  timeoutMs = 1_800_000,
): Promise<DqPhaseOutcome> {
  const deadline = Date.now() + timeoutMs;
  const first = b.stack.clock.now();
  const started = await Promise.all(
    plans.map(async (plan) => {
      if (plan.offsetMs) await new Promise((r) => setTimeout(r, plan.offsetMs));
      return b.startSession(plan.symbols);
    }),
  );
  const pauses: string[] = [];
  const resumedAt: number[] = [];
  const store = b.observer;
  const finals: SessionRecord[] = [];
  for (const s of started) {
    for (;;) {
      const session = await store.getSession(s.sessionId);
      if (session && session.status !== "running" && session.finalEventAt) {
        finals.push(session);
        break;
      }
      if (session?.pausedUntil && !pauses.includes(session.pausedUntil)) {
        pauses.push(session.pausedUntil);
        await waitUntilNothingInFlight(b, s.sessionId);
        b.stack.clock.advanceTo(Date.parse(session.pausedUntil) + 1_000);
        resumedAt.push(b.stack.clock.now());
        await b.stack.scheduler.fireDue();
      }
      if (Date.now() > deadline) throw new Error(`session ${s.sessionId} did not finish within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // Let the last invocations (their trailing pump, the notifier) finish, so every one of them is counted.
  await b.stack.eventBridge.idle();
  while (b.stack.processorPoller.stats().inFlight > 0) await new Promise((r) => setTimeout(r, 20));
  await b.stack.eventBridge.idle();
  return {
    sessions: started.map((s, i) => ({ started: s, final: finals[i] as SessionRecord })),
    startedAt: first,
    pauses,
    resumedAt,
  };
}

async function waitUntilNothingInFlight(b: BenchStack, sessionId: string): Promise<void> {
  const store = b.observer;
  for (;;) {
    const queued = await store.listBatches(sessionId, { status: "queued", limit: 1 });
    const processing = await store.listBatches(sessionId, { status: "processing", limit: 1 });
    if (queued.items.length === 0 && processing.items.length === 0 && b.stack.processorPoller.stats().inFlight === 0)
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One batch's processing, from the table: from the later of its credit slot's start and its claim (a whole-second
 * SQS delay may deliver it up to a second early, and it waits) to its `finishedAt`, when its results were validated.
 */
export function batchProcessingTimes(batches: readonly BatchTimes[]): number[] {
  return batches
    .filter((t) => t.status === "done" && t.finishedAt !== undefined && t.startedAt !== undefined)
    .map((t) => (t.finishedAt as number) - Math.max(t.startedAt as number, t.slotStart ?? 0));
}

/**
 * The run's active time and each day's symbols: the first start to the last session's finish, split at every
 * daily-cap resume (the paused hours are not the schedule's to count).
 */
export function activeDays(
  phase: DqPhaseOutcome,
  batches: readonly BatchTimes[],
): { activeMs: number; symbols: number }[] {
  const ids = new Set(phase.sessions.map((s) => s.started.sessionId));
  const done = batches.filter((t) => ids.has(t.sessionId) && t.finishedAt !== undefined);
  const finished = Math.max(...phase.sessions.map((s) => Date.parse(s.final.finishedAt ?? "")));
  const bounds = [phase.startedAt, ...phase.resumedAt, Number.POSITIVE_INFINITY];
  const days: { activeMs: number; symbols: number }[] = [];
  for (let d = 0; d + 1 < bounds.length; d++) {
    const from = bounds[d] as number;
    const to = bounds[d + 1] as number;
    const inDay = done.filter((t) => (t.finishedAt as number) >= from && (t.finishedAt as number) < to);
    const end = d + 2 === bounds.length ? finished : Math.max(...inDay.map((t) => t.finishedAt as number));
    days.push({ activeMs: end - from, symbols: inDay.reduce((n, t) => n + t.symbols, 0) });
  }
  return days;
}
