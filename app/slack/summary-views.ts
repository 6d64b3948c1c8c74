import { type CoverageFigures, describeCoverage } from "../pipeline/coverage.ts";
import type { Issue } from "../quality/types.ts";
import { ActionId } from "./action-ids.ts";
import {
  actions,
  type Block,
  type ButtonElement,
  button,
  context,
  cutList,
  divider,
  escapeMrkdwn,
  fields,
  formatDuration,
  header,
  LIMITS,
  linkButton,
  plural,
  type SlackMessage,
  section,
} from "./blocks.ts";
import type { FailedSymbolDetail, WorkflowDetail } from "./event-details.ts";
import type { Changes, Findings } from "./findings.ts";

/** Failed symbols listed in a summary before the rest is cut to "+N more". */
export const FAILED_SYMBOLS_SHOWN = 10;

/** The exact command that re-runs a session's failed and errored symbols. */
export function retryCommand(sessionId: string): string {
  return `/dq retry ${sessionId}`;
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** What a summary says besides the event's figures; each part is optional (`/dq status` has none of them). */
export interface SummaryExtras {
  /** The session's results with mutes applied and what changed: the headline counts, the changes, the checks. */
  findings?: Findings;
  /** Who is mentioned (`<!subteam^S…>` or `<@U…>`): set on failures outside quiet hours only. */
  mention?: string;
  /** Said when the mention was held back by quiet hours. */
  quietUntil?: string;
  /** Link buttons. */
  links?: { report?: string; logs?: string };
  /** The details follow in the message's thread. */
  threaded?: boolean;
}

/** The universe's coverage, a line of its own (and the lookback warning when there is one). */
export function coverageBlocks(coverage: CoverageFigures | undefined): Block[] {
  if (!coverage) return [];
  const warning = coverage.lookbackWarning ? `\n:warning: ${escapeMrkdwn(coverage.lookbackWarning)}` : "";
  return [section(`:repeat: *Coverage* ${escapeMrkdwn(describeCoverage(coverage))}${warning}`)];
}

/** The outcome in one line, from the data: what failed, what could not be checked, or that all passed. */
export function headlineOf(
  detail: WorkflowDetail,
  findings?: Findings,
): { icon: string; text: string; problem: boolean } {
  const total = count(detail.totals.symbols);
  const failed = findings ? findings.failing.filter((f) => f.status === "fail").length : detail.counters.failed;
  const errored = findings ? findings.failing.filter((f) => f.status === "error").length : detail.counters.errored;
  const unchecked = errored > 0 ? `, ${count(errored)} could not be checked` : "";
  if (detail.status === "cancelled")
    return {
      icon: ":no_entry_sign:",
      text: `cancelled: ${count(failed)} of ${total} symbols failed${unchecked} before it stopped`,
      problem: true,
    };
  if (detail.status === "failed")
    return {
      icon: ":x:",
      text: `did not finish: ${count(failed)} of ${total} symbols failed${unchecked}`,
      problem: true,
    };
  if (failed > 0)
    return { icon: ":x:", text: `${count(failed)} of ${total} symbols failed${unchecked}`, problem: true };
  if (errored > 0)
    return { icon: ":warning:", text: `${count(errored)} of ${total} symbols could not be checked`, problem: true };
  return { icon: ":white_check_mark:", text: `all ${total} symbols passed`, problem: false };
}

/**
 * WorkflowCompleted / WorkflowFailed: the run's summary. The header and the notification text follow the data
 * (a completed session with failures reads as failures); the mention, when given, is in both, so it notifies.
 */
export function summaryMessage(detail: WorkflowDetail, extras: SummaryExtras = {}): SlackMessage {
  const { counters } = detail;
  const findings = extras.findings;
  const head = headlineOf(detail, findings);
  const title = `dq: ${head.text}`;
  const lead = extras.mention ? `${extras.mention} ` : "";
  const blocks: Block[] = [header(`${head.icon} ${title}`)];
  if (extras.mention) blocks.push(section(`${extras.mention} ${head.icon} *${escapeMrkdwn(head.text)}*`));
  blocks.push(
    fields([
      `*Session*\n\`${detail.sessionId}\``,
      `*Duration*\n${formatDuration(detail.durationMs)}`,
      `*Symbols*\n${count(detail.totals.symbols)}`,
      `*Passed / failed / errored*\n${counters.passed} / ${counters.failed} / ${counters.errored}`,
      `*Credits used*\n${detail.creditsUsed}${counters.creditsWasted ? ` (${counters.creditsWasted} wasted)` : ""}`,
      ...(findings && findings.muted.length > 0
        ? [`*Muted*\n${plural(findings.muted.length, "failing symbol")}, not in the headline`]
        : []),
    ]),
  );
  blocks.push(...coverageBlocks(detail.coverage));
  if (detail.status !== "completed") {
    const what = [`*What failed*: ${escapeMrkdwn(detail.error ?? "the session did not complete")}`];
    if (detail.failureStep) what.push(`*Step*: ${escapeMrkdwn(detail.failureStep)}`);
    what.push(`*To retry*: \`${retryCommand(detail.sessionId)}\``);
    blocks.push(section(what.join("\n")));
  }
  if (findings?.changes) blocks.push(section(changesText(findings.changes)));
  else if (findings) blocks.push(context("First session of this universe: nothing to compare with yet."));
  if (findings && findings.failing.length > 0) blocks.push(section(byCheckText(findings)));
  else if (!findings) blocks.push(...failedSymbolBlocks(detail.failedSymbols, counters.failed + counters.errored));
  const notes: string[] = [];
  if (extras.threaded) notes.push(":thread: Every failing symbol, grouped by check, is in the thread.");
  if (extras.quietUntil)
    notes.push(`:moon: Quiet hours: nobody was mentioned (until ${escapeMrkdwn(extras.quietUntil)}).`);
  if (findings && findings.muted.length > 0)
    notes.push(
      `:mute: Muted: ${escapeMrkdwn(
        cutList(
          findings.muted.map((m) => m.symbol),
          8,
        ).join(", "),
      )}`,
    );
  if (notes.length > 0) blocks.push(context(...notes));
  const buttons = buttonsOf(detail, findings, extras.links);
  if (buttons.length > 0) blocks.push(actions(buttons, "dq-summary-actions"));
  blocks.push(context(startedByText(detail.startedBy)));
  const counts = `passed ${counters.passed}, failed ${counters.failed}, errored ${counters.errored}`;
  return { text: `${lead}${head.icon} ${title} (session ${detail.sessionId}: ${counts})`, blocks };
}

/**
 * The live message once the summary is posted as a message of its own (so that it notifies): the outcome in one
 * line and where the summary is. It never goes back to progress (see the notifier).
 */
export function finishedLiveMessage(detail: WorkflowDetail, findings?: Findings): SlackMessage {
  const head = headlineOf(detail, findings);
  const text = `${head.icon} dq run ${detail.sessionId} finished: ${head.text}`;
  return {
    text,
    blocks: [
      section(`${head.icon} *dq run* \`${detail.sessionId}\` finished: *${escapeMrkdwn(head.text)}*`),
      context(`The summary and the details are posted below. ${startedByText(detail.startedBy)}`),
    ],
  };
}

function buttonsOf(
  detail: WorkflowDetail,
  findings: Findings | undefined,
  links: SummaryExtras["links"],
): ButtonElement[] {
  const buttons: ButtonElement[] = [];
  const retriable = findings
    ? findings.failing.length + findings.muted.length
    : detail.counters.failed + detail.counters.errored;
  if (retriable > 0 || detail.status !== "completed")
    buttons.push(
      button("Retry failed", ActionId.retryFailed, detail.sessionId, {
        style: "primary",
        confirm: {
          title: "Retry the failed symbols?",
          text: `A new session re-checks the ${plural(retriable, "failed or errored symbol")} of \`${detail.sessionId}\` (${plural(retriable, "credit")} or so).`,
          yes: "Retry",
        },
      }),
    );
  if (links?.report) buttons.push(linkButton("Open report", ActionId.openReport, links.report));
  if (links?.logs) buttons.push(linkButton("Open logs", ActionId.openLogs, links.logs));
  return buttons;
}

function changesText(changes: Changes): string {
  const since = `\`${changes.previous.sessionId}\` (${changes.previous.finishedAt.slice(0, 16).replace("T", " ")} UTC)`;
  const list = (symbols: readonly string[]) =>
    symbols.length === 0 ? "" : `: ${escapeMrkdwn(cutList(symbols, 8).join(", "))}`;
  return [
    `*Since* ${since}`,
    `:new: ${count(changes.appeared.length)} new${list(changes.appeared)}`,
    `:repeat: ${count(changes.persisting.length)} still failing${list(changes.persisting.map((p) => p.symbol))}`,
    `:sparkles: ${count(changes.recovered.length)} recovered${list(changes.recovered)}`,
  ].join("\n");
}

/** `missing_bars 80 · price_mismatch 30 · could not be checked 12`, largest first. */
function byCheckText(findings: Findings): string {
  const groups = groupByCheck(findings.failing);
  return `*By check*: ${groups.map((g) => `${g.label} ${count(g.entries.length)}`).join(" · ")}`;
}

export function failedSymbolBlocks(failed: readonly FailedSymbolDetail[], total: number): Block[] {
  if (failed.length === 0) return [];
  const lines = failed.map((f) => `• *${escapeMrkdwn(f.symbol)}* (${f.status}) ${escapeMrkdwn(oneLine(f.issue))}`);
  const shown = cutList(lines, FAILED_SYMBOLS_SHOWN, Math.max(total, failed.length));
  return [divider, section(`*Failed symbols*\n${shown.join("\n")}`)];
}

export function startedByText(startedBy: { kind: string; user?: string }): string {
  if (startedBy.kind === "slack" && startedBy.user) return `Started from Slack by <@${startedBy.user}>`;
  if (startedBy.kind === "schedule") return "Started by the daily schedule";
  return `Started by ${escapeMrkdwn(startedBy.kind)}${startedBy.user ? ` (${escapeMrkdwn(startedBy.user)})` : ""}`;
}

export function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

// ---------------------------------------------------------------------------------------------------------------
// The thread: every failing symbol, grouped by check.

/** What each check means, in the thread's group titles. */
const CHECK_MEANING: Record<string, string> = {
  no_data: "no bars in the window",
  stale: "the last bar is older than the reference's last complete session",
  missing_bars: "sessions the reference has and the datalake does not",
  duplicate_bars: "the same date more than once",
  ohlc_invalid: "open/high/low/close out of order, or a price not above zero",
  price_mismatch: "a price differs from the reference beyond tolerance",
  adjustment_mismatch: "a constant ratio to the reference over a range: an unapplied split or adjustment",
  future_bar: "bars dated after the reference's last complete session",
  missing_value: "bars with a missing price",
  instrument_mismatch: "the datalake and the reference seem to be different instruments",
};
const UNCHECKED = "could_not_be_checked";

interface Group {
  code: string;
  label: string;
  entries: { symbol: string; line: string }[];
}

/** Failing symbols by check code (error-severity issues), largest group first; unchecked symbols last. */
export function groupByCheck(failing: Findings["failing"]): Group[] {
  const groups = new Map<string, Group>();
  const add = (code: string, symbol: string, line: string) => {
    let group = groups.get(code);
    if (!group) {
      group = { code, label: code === UNCHECKED ? "could not be checked" : code, entries: [] };
      groups.set(code, group);
    }
    group.entries.push({ symbol, line });
  };
  for (const f of failing) {
    if (f.status === "error") {
      add(
        UNCHECKED,
        f.symbol,
        `• *${escapeMrkdwn(f.symbol)}* ${escapeMrkdwn(oneLine(f.error ? `${f.error.kind}: ${f.error.message}` : "could not be validated"))}`,
      );
      continue;
    }
    const byCode = new Map<string, Issue[]>();
    for (const issue of f.issues.filter((i) => i.severity === "error"))
      byCode.set(issue.code, [...(byCode.get(issue.code) ?? []), issue]);
    if (byCode.size === 0) add("failed", f.symbol, `• *${escapeMrkdwn(f.symbol)}*`);
    for (const [code, issues] of byCode) add(code, f.symbol, issueLine(f.symbol, issues));
  }
  return [...groups.values()].sort((a, b) => {
    if ((a.code === UNCHECKED) !== (b.code === UNCHECKED)) return a.code === UNCHECKED ? 1 : -1;
    return b.entries.length - a.entries.length || a.code.localeCompare(b.code);
  });
}

/**
 * One symbol's finding of one check: date (or range), field, subject and reference values and their difference,
 * or an adjustment's factor; the check's own message where it has no figures. Further findings of the same check
 * are counted.
 */
export function issueLine(symbol: string, issues: readonly Issue[]): string {
  const [first, ...rest] = issues as [Issue, ...Issue[]];
  const more = rest.length > 0 ? ` _+${rest.length} more_` : "";
  const numbers: string[] = [];
  if (first.subject !== undefined && first.reference !== undefined)
    numbers.push(`${figure(first.subject)} vs ${figure(first.reference)}`);
  if (first.diffPct !== undefined) numbers.push(`(${first.diffPct > 0 ? "+" : ""}${figure(first.diffPct, 4)} %)`);
  if (first.factor !== undefined) numbers.push(`ratio ×${figure(first.factor, 4)}`);
  // A finding without figures is best said by its own message, which names its dates.
  if (numbers.length === 0) return `• *${escapeMrkdwn(symbol)}* ${escapeMrkdwn(oneLine(first.message, 160))}${more}`;
  const when = first.date ?? (first.from && first.to ? `${first.from} → ${first.to}` : (first.from ?? first.to));
  const parts = [...(when ? [when] : []), ...(first.field ? [first.field] : []), ...numbers];
  if (first.count !== undefined && first.count > 1) parts.push(`(${first.count} days)`);
  return `• *${escapeMrkdwn(symbol)}* ${escapeMrkdwn(parts.join(" "))}${more}`;
}

function figure(value: number, digits = 6): string {
  return String(Number(value.toPrecision(digits)));
}

export interface ThreadOptions {
  /** Messages at most; what does not fit is counted in the last one. @default 15 */
  maxMessages?: number;
}

/** Blocks a thread message holds at most, under Slack's 50. */
const THREAD_BLOCKS = 45;
/** A section's text at most, under Slack's 3,000. */
const THREAD_SECTION = 2_900;

/**
 * The thread under a summary: what changed, in full, then every failing symbol grouped by check, each group titled
 * with its check and count. Packed into messages within Block Kit's limits (at most 45 blocks, sections under
 * 3,000 characters, blocks under LIMITS.blocksText together), at most `maxMessages` of them.
 */
export function threadMessages(
  detail: WorkflowDetail,
  findings: Findings,
  options: ThreadOptions = {},
): SlackMessage[] {
  const maxMessages = options.maxMessages ?? 15;
  const pages: Block[][] = [];
  let page: Block[] = [];
  let pageChars = 0;
  const push = (block: Block, chars: number) => {
    if (page.length >= THREAD_BLOCKS || pageChars + chars > LIMITS.blocksText) {
      pages.push(page);
      page = [];
      pageChars = 0;
    }
    page.push(block);
    pageChars += chars;
  };
  const pushLines = (title: string, lines: readonly string[]) => {
    let text = title;
    for (const line of lines) {
      if (text.length + 1 + line.length > THREAD_SECTION) {
        push(section(text), text.length);
        text = `${title} _(continued)_`;
      }
      text = `${text}\n${line}`;
    }
    push(section(text), text.length);
  };

  const changes = findings.changes;
  if (changes) {
    const all = (label: string, symbols: readonly string[]) => {
      if (symbols.length > 0) pushLines(label, [escapeMrkdwn(symbols.join(", "))]);
    };
    all(`:new: *New since \`${changes.previous.sessionId}\`* (${count(changes.appeared.length)})`, changes.appeared);
    all(
      `:sparkles: *Recovered since \`${changes.previous.sessionId}\`* (${count(changes.recovered.length)})`,
      changes.recovered,
    );
  }
  for (const group of groupByCheck(findings.failing)) {
    const meaning = CHECK_MEANING[group.code];
    const title = `*${group.label}* · ${plural(group.entries.length, "symbol")}${meaning ? ` — ${meaning}` : ""}`;
    pushLines(
      title,
      group.entries.map((e) => e.line.slice(0, THREAD_SECTION - title.length - 20)),
    );
  }
  if (page.length > 0) pages.push(page);

  let shown = pages;
  if (pages.length > maxMessages) {
    shown = pages.slice(0, maxMessages);
    const left = pages.slice(maxMessages).flat().length;
    const last = shown[maxMessages - 1] as Block[];
    if (last.length >= THREAD_BLOCKS) last.pop();
    last.push(
      context(
        `${plural(left, "more section")} of details not posted here: \`npx dq results ${detail.sessionId}\` lists every result.`,
      ),
    );
  }
  return shown.map((blocks, i) => ({
    text: `dq session ${detail.sessionId}: details ${i + 1}/${shown.length}`,
    blocks,
  }));
}
