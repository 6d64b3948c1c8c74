import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { TwelveDataClient } from "../app/adapters/twelvedata/client.ts";
import { RateLimitError } from "../app/adapters/twelvedata/errors.ts";
import { toStored } from "../app/pipeline/process-batch.ts";
import { validateSymbols } from "../app/pipeline/validate.ts";
import { errorResult } from "../app/quality/check-symbol.ts";
import type { AwsClient } from "../app/runtime/pipeline-runtime.ts";
import { localClientConfig } from "../local/aws/env.ts";
import { EventSourcePoller } from "../local/aws/event-source-poller.ts";
import { createWorkQueues } from "../local/aws/sqs.ts";
import type { BenchStack } from "./bench-stack.ts";

/** The chained design's batch: 8 symbols, one provider request, whatever the plan allows. */
export const CHAINED_BATCH_SIZE = 8;

export interface ChainPlan {
  symbols: readonly string[];
  /** Start this chain this long after the first one. @default 0 */
  offsetMs?: number;
}

export interface ChainOutcome {
  symbols: number;
  linksTotal: number;
  linksRun: number;
  startedAt: number;
  /** When each link finished (stack clock). */
  linkEnds: number[];
  /** Each link's time from its message's arrival to its results stored. */
  linkProcessingMs: number[];
  rateLimited: number;
  /** Symbols of the links run that got no result because a 429 refused their request. */
  lostSymbols: number;
}

interface ChainMessage {
  type: "chain";
  chain: number;
  link: number;
}

/**
 * The design dq replaces, on the same stack: a chain of SQS messages, each one batch of 8 symbols validated by a
 * function (same datalake reader, same Twelve Data client, same check engine, results written to the same table
 * with the same batch writes), which then sends the next link with DelaySeconds = one window, after it FINISHES.
 * It has no ledger: its only rate limiting is that delay. A 429 loses the batch (nothing re-queues it). Each chain
 * has its own client (its own warm container): nothing in-process paces one chain against another.
 * Runs at most `maxLinks` links per chain; the rest is extrapolated by the caller (a chain is strictly sequential).
 */
export async function runChained(
  b: BenchStack,
  plans: readonly ChainPlan[],
  maxLinks: number,
): Promise<ChainOutcome[]> {
  const { stack, shape, universe } = b;
  const endpoint = stack.endpoints.sqs;
  if (!endpoint) throw new Error("the bench stack has no SQS endpoint");
  const sqs = new SQSClient(localClientConfig(endpoint));
  b.aws.instrument(sqs as unknown as AwsClient);
  const queues = await createWorkQueues(sqs, { queue: "dq-bench-chain", deadLetterQueue: "dq-bench-chain-dlq" });
  const ctx = stack.runtime.ctx;
  const datalake = ctx.datalakeFor(universe.sample.uriTemplate);
  const asOf = universe.asOf;
  const providerUrl = stack.endpoints.twelvedata;
  if (!providerUrl) throw new Error("the bench stack has no Twelve Data endpoint");
  const clients = plans.map(
    () =>
      new TwelveDataClient({
        baseUrl: providerUrl,
        apiKey: "demo",
        creditsPerWindow: Math.max(CHAINED_BATCH_SIZE, shape.creditsPerWindow),
        windowSeconds: shape.windowSeconds,
        maxAttempts: 1,
        clock: stack.clock.now,
      }),
  );
  const outcomes: ChainOutcome[] = plans.map((plan) => ({
    symbols: plan.symbols.length,
    linksTotal: Math.ceil(plan.symbols.length / CHAINED_BATCH_SIZE),
    linksRun: 0,
    startedAt: 0,
    linkEnds: [],
    linkProcessingMs: [],
    rateLimited: 0,
    lostSymbols: 0,
  }));
  let finishedChains = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });

  const send = (message: ChainMessage, delaySeconds: number) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: delaySeconds,
      }),
    );

  const link = async (message: ChainMessage): Promise<void> => {
    const arrived = stack.clock.now();
    const plan = plans[message.chain] as ChainPlan;
    const outcome = outcomes[message.chain] as ChainOutcome;
    const symbols = plan.symbols.slice(message.link * CHAINED_BATCH_SIZE, (message.link + 1) * CHAINED_BATCH_SIZE);
    let results: Awaited<ReturnType<typeof validateSymbols>>;
    try {
      results = await validateSymbols(
        { symbols, asOf, lookbackDays: 10 },
        datalake,
        clients[message.chain] as TwelveDataClient,
      );
    } catch (error) {
      if (!(error instanceof RateLimitError)) throw error;
      outcome.rateLimited++;
      outcome.lostSymbols += symbols.length;
      results = symbols.map((s) => errorResult(s, "provider", error.message));
    }
    const validatedAt = new Date(stack.clock.now()).toISOString();
    await ctx.store.putResults(
      results.map((r) => toStored(`chain-${message.chain}`, message.link + 1, r, validatedAt)),
    );
    outcome.linksRun++;
    const ended = stack.clock.now();
    outcome.linkEnds.push(ended);
    outcome.linkProcessingMs.push(ended - arrived);
    const next = message.link + 1;
    if (next < Math.min(outcome.linksTotal, maxLinks))
      await send({ type: "chain", chain: message.chain, link: next }, shape.windowSeconds);
    else if (++finishedChains === plans.length) allDone();
  };

  const poller = new EventSourcePoller({
    client: sqs,
    queueUrl: queues.queueUrl,
    queueArn: queues.queueArn,
    handler: b.lambdas.wrap("processor", async (event) => {
      for (const record of (event as { Records: { body: string }[] }).Records)
        await link(JSON.parse(record.body) as ChainMessage);
    }) as never,
    maxConcurrency: shape.processorConcurrency,
    visibilityTimeoutSeconds: Math.max(4, 3 * shape.windowSeconds),
    stack: "bench",
  }).start();
  try {
    const first = stack.clock.now();
    await Promise.all(
      plans.map(async (plan, chain) => {
        if (plan.offsetMs) await new Promise((r) => setTimeout(r, plan.offsetMs));
        (outcomes[chain] as ChainOutcome).startedAt = plan.offsetMs ? stack.clock.now() : first;
        await send({ type: "chain", chain, link: 0 }, 0);
      }),
    );
    await done;
  } finally {
    await poller.stop();
    const stats = poller.stats();
    b.addReceives({
      receives: stats.receives,
      emptyReceives: stats.emptyReceives,
      deleteRequests: stats.deleteRequests,
    });
  }
  return outcomes;
}
