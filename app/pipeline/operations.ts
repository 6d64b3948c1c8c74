import { UserFacingError } from "../domain/errors.ts";
import type { PipelineContext } from "./context.ts";
import type { CoverageFigures } from "./coverage.ts";
import { currentCoverage } from "./coverage-session.ts";
import { describeFailure, type FailedSymbol, finalize } from "./finalize.ts";
import type { Page, SessionRecord, StartedBy, StoredResult } from "./model.ts";
import { slotsNeeded } from "./planning.ts";
import {
  parseStartInput,
  type StartDefaults,
  type StartInput,
  type StartResult,
  startSession,
} from "./start-session.ts";

/** An operation named a session that does not exist, or asked something its state does not allow. */
export class OperationError extends UserFacingError {
  override name = "OperationError";
}

export interface SessionStatusView {
  session: SessionRecord;
  batchesFinished: number;
  progressPct: number;
  /** Remaining time while running, from the credit schedule; null when finished. */
  etaMs: number | null;
  failedSymbols: FailedSymbol[];
  /** While running: credits a window another consumer of the provider key takes (0 when none was seen lately). */
  takenByOthers?: number;
  /** For a session over the universe: the universe's coverage as last taken. */
  coverage?: CoverageFigures;
}

/** The operations the CLI and Slack share. */
export class Operations {
  readonly ctx: PipelineContext;
  readonly defaults: StartDefaults;

  constructor(ctx: PipelineContext, defaults: StartDefaults) {
    this.ctx = ctx;
    this.defaults = defaults;
  }

  /** A new session; `{retry: <session>}` starts the retry of that session (how Slack hands a retry on). */
  async start(input: unknown): Promise<StartResult> {
    const parsed = parseStartInput(input);
    if (parsed.retry) {
      return this.retry(parsed.retry, parsed.startedBy ?? { kind: "retry" }, {
        ...(parsed.idempotencyKey ? { idempotencyKey: parsed.idempotencyKey } : {}),
        ...(parsed.slack ? { slack: parsed.slack } : {}),
      });
    }
    return startSession(this.ctx, input, this.defaults);
  }

  /** `latest` (or nothing) means the most recent session. */
  async status(sessionId = "latest", failedLimit = 20): Promise<SessionStatusView> {
    const session = await this.resolve(sessionId);
    const finished = session.counters.batchesDone + session.counters.batchesFailed;
    const remaining = Math.max(0, session.totalBatches - finished);
    const { windowMs, marginMs, creditsPerWindow } = this.ctx.settings;
    const now = this.ctx.clock();
    let etaMs: number | null = null;
    let takenByOthers = 0;
    if (session.status === "running") {
      const shape = { windowMs, marginMs, creditsPerWindow, batchSize: session.params.batchSize };
      etaMs = remaining === 0 ? 0 : slotsNeeded(remaining, shape) * (windowMs + marginMs);
      // The key shared with another program: only what it leaves a window is this account's.
      takenByOthers = (await this.ctx.ledger.usage(now)).takenByOthers;
      if (takenByOthers > 0) etaMs = (etaMs * creditsPerWindow) / Math.max(1, creditsPerWindow - takenByOthers);
      if (session.pausedUntil) etaMs += Math.max(0, Date.parse(session.pausedUntil) - now);
    }
    const failures = await this.ctx.store.listResults(session.sessionId, {
      statuses: ["fail", "error"],
      limit: failedLimit,
    });
    const coverage = await currentCoverage(this.ctx, session.params.coverage);
    return {
      session,
      batchesFinished: finished,
      progressPct: session.totalBatches === 0 ? 100 : Math.round((finished / session.totalBatches) * 1000) / 10,
      etaMs,
      failedSymbols: failures.items.map(describeFailure),
      ...(takenByOthers > 0 ? { takenByOthers } : {}),
      ...(coverage ? { coverage } : {}),
    };
  }

  /** The coverage of the universe the most recent session over it checked (undefined before there is one). */
  async coverage(): Promise<CoverageFigures | undefined> {
    const { items } = await this.ctx.store.listSessions(25);
    return currentCoverage(this.ctx, items.find((s) => s.params.coverage)?.params.coverage);
  }

  list(limit = 10, cursor?: string): Promise<Page<SessionRecord>> {
    return this.ctx.store.listSessions(limit, cursor);
  }

  async results(
    sessionId: string,
    options: { limit?: number; cursor?: string; statuses?: StoredResult["status"][] } = {},
  ) {
    const session = await this.resolve(sessionId);
    return this.ctx.store.listResults(session.sessionId, {
      limit: options.limit ?? 500,
      cursor: options.cursor,
      statuses: options.statuses,
    });
  }

  /** Every result of a session, page by page (for `dq results`). */
  async allResults(sessionId: string): Promise<{ session: SessionRecord; results: StoredResult[] }> {
    const session = await this.resolve(sessionId);
    const results: StoredResult[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.ctx.store.listResults(session.sessionId, { limit: 1000, cursor });
      results.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return { session, results };
  }

  /** A new session over the failed and errored symbols of `sessionId`, linked to it. */
  async retry(
    sessionId: string,
    startedBy: StartedBy,
    extra: { idempotencyKey?: string; slack?: { channel: string; ts: string } } = {},
  ) {
    return this.start(await this.retryRequest(sessionId, startedBy, extra));
  }

  /** The start request that retries `sessionId`: for callers that start through the coordinator function. */
  async retryRequest(
    sessionId: string,
    startedBy: StartedBy,
    extra: { idempotencyKey?: string; slack?: { channel: string; ts: string } } = {},
  ): Promise<StartInput> {
    const session = await this.resolve(sessionId);
    if (session.status === "running")
      throw new OperationError(`session ${session.sessionId} is still running; cancel it first or wait`);
    const symbols: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.ctx.store.listResults(session.sessionId, {
        statuses: ["fail", "error"],
        limit: 1000,
        cursor,
      });
      symbols.push(...page.items.map((r) => r.symbol));
      cursor = page.cursor;
    } while (cursor);
    // Symbols of a session that stopped early (cancelled, or stopped for a refused key) that never got a result
    // are retried too.
    if (session.status === "cancelled" || session.error !== undefined)
      symbols.push(...(await this.unvalidated(session)));
    if (symbols.length === 0)
      throw new OperationError(`session ${session.sessionId} has no failed or errored symbols to retry`);
    return {
      symbols,
      datalake: session.params.datalake,
      lookbackDays: session.params.lookbackDays,
      asOf: session.params.asOf,
      retryOf: session.sessionId,
      correlationId: session.correlationId,
      startedBy,
      ...extra,
    };
  }

  /** Stops pumping; queued batches are dropped as they arrive; the session finishes as cancelled. */
  async cancel(sessionId: string, by: string): Promise<SessionRecord> {
    const session = await this.resolve(sessionId);
    // A cancel that failed half-way (cancelled, but its final event unpublished) is completed by the next one.
    if (session.status === "cancelled" && !session.finalEventSentAt) await finalize(this.ctx, session);
    else if (session.status !== "running")
      throw new OperationError(`session ${session.sessionId} is already ${session.status}`);
    else await finalize(this.ctx, session, { status: "cancelled", error: `cancelled by ${by}`, cancelledBy: by });
    const after = await this.ctx.store.getSession(session.sessionId);
    if (!after) throw new OperationError(`session ${session.sessionId} vanished`);
    return after;
  }

  private async resolve(sessionId: string): Promise<SessionRecord> {
    if (sessionId === "latest" || sessionId === "") {
      const page = await this.ctx.store.listSessions(1);
      const latest = page.items[0];
      if (!latest) throw new OperationError("no sessions yet");
      return latest;
    }
    const session = await this.ctx.store.getSession(sessionId);
    if (!session) throw new OperationError(`no session ${sessionId}`);
    return session;
  }

  private async unvalidated(session: SessionRecord): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.ctx.store.listBatches(session.sessionId, { limit: 500, cursor });
      for (const b of page.items) if (b.status !== "done" && b.status !== "failed") out.push(...b.symbols);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }
}
