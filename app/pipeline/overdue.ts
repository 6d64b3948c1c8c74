import type { PipelineContext } from "./context.ts";
import { pump } from "./pump.ts";

/** How many of the most recent sessions the daily check looks at. */
const RECENT = 25;

/**
 * The daily check behind every session's own pump messages: each recent session still running past its bound is
 * reported (SessionOverdue) and pumped with a sweep, which also leaves it a new pump message. So even a session
 * whose chain of pump messages broke is reported and woken within a day. Best effort: the start it runs with
 * never fails for it.
 */
export async function checkOverdueSessions(ctx: PipelineContext): Promise<number> {
  try {
    const now = ctx.clock();
    const { items } = await ctx.store.listSessions(RECENT);
    const overdue = items.filter((s) => s.status === "running" && s.dueAt !== undefined && Date.parse(s.dueAt) < now);
    for (const session of overdue) await pump(ctx, session.sessionId, { sweep: true });
    return overdue.length;
  } catch (error) {
    ctx.log.warn("the daily check of overdue sessions failed", {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return 0;
  }
}
