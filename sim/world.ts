import type { Context, SQSEvent } from "aws-lambda";
import type { RuntimeConfig } from "../app/config/runtime-config.ts";
import { createCoordinatorHandler } from "../app/handlers/coordinator.ts";
import { createDeadLetterHandler } from "../app/handlers/dead-letter.ts";
import { createProcessorHandler } from "../app/handlers/processor.ts";
import {
  defaultSettings,
  deployedTimings,
  type PipelineContext,
  type PipelineSettings,
} from "../app/pipeline/context.ts";
import { Operations } from "../app/pipeline/operations.ts";
import type { StartInput } from "../app/pipeline/start-session.ts";
import type { PipelineRuntime } from "../app/runtime/pipeline-runtime.ts";
import { FUNCTIONS, QUEUE, workQueueTimings } from "../app/wiring.ts";
import { SimEventBus } from "./aws/events.ts";
import { type QueuedMessage, SimQueue } from "./aws/queue.ts";
import { SimScheduler } from "./aws/scheduler.ts";
import type { Simulation } from "./engine.ts";
import type { FaultPlan, PortName } from "./faults.ts";
import { type Invocation, LambdaService } from "./lambda.ts";
import { SimDatalake } from "./market.ts";
import { MemoryCoverageStore } from "./memory/coverage-store.ts";
import { MemoryCreditLedger } from "./memory/credit-ledger.ts";
import { MemorySessionStore } from "./memory/session-store.ts";
import { SimProvider } from "./provider.ts";
import type { Random } from "./random.ts";
import type { Scenario } from "./scenario.ts";
import { Telemetry } from "./telemetry.ts";

const LATENCY: Record<PortName, [number, number]> = {
  store: [2, 25],
  ledger: [2, 25],
  queue: [4, 30],
  resume: [15, 120],
  events: [8, 60],
};

/** An operator's action or a start, for the report. */
export interface StartRecord {
  stack: number;
  trigger: string;
  input: StartInput;
  /** Gave up: Lambda's retries of an asynchronous invoke were spent (the failed-start queue), or the CLI failed. */
  failed: boolean;
}

/**
 * Everything the simulated deployments run on: one virtual clock, one provider account (one API key) shared by
 * every stack, and per stack the table, the work queue and its DLQ with their event source mappings, the
 * Scheduler, the bus, and the real handlers wired to the in-memory ports through each invocation's faults.
 */
export class SimWorld {
  readonly sim: Simulation;
  readonly random: Random;
  readonly faults: FaultPlan;
  readonly lambda: LambdaService;
  readonly provider: SimProvider;
  readonly datalake: SimDatalake;
  readonly stacks: SimStack[];
  readonly starts: StartRecord[] = [];
  readonly scenario: Scenario;

  constructor(sim: Simulation, random: Random, faults: FaultPlan, scenario: Scenario, echo: boolean) {
    this.sim = sim;
    this.random = random;
    this.faults = faults;
    this.scenario = scenario;
    const latency = random.fork("latency");
    this.lambda = new LambdaService(sim, random.fork("lambda"), faults, (port) => {
      const [min, max] = LATENCY[port];
      return latency.chance(0.01) ? latency.between(max, max * 20) : latency.between(min, max);
    });
    // A coverage scenario runs for weeks: the market's last bar is the day before the clock's UTC day.
    const lastDate = scenario.coverage
      ? () => new Date(sim.now - 86_400_000).toISOString().slice(0, 10)
      : new Date(scenario.start - 86_400_000).toISOString().slice(0, 10);
    this.provider = new SimProvider(sim, random.fork("provider"), faults, {
      creditsPerMinute: scenario.creditsPerMinute,
      creditsPerDay: scenario.creditsPerDay,
      partialAnswers: scenario.provider.partialAnswers,
      outageRate: scenario.provider.outageRate,
      timeoutRate: scenario.provider.timeoutRate,
      ...(scenario.provider.revokedAfterMs === undefined
        ? {}
        : { revokedAt: scenario.start + scenario.provider.revokedAfterMs }),
      lastDate,
    });
    this.datalake = new SimDatalake({
      lastDate,
      defective: new Set(scenario.defective),
      universe: scenario.sessions.flatMap((s) => s.symbols),
    });
    if (echo)
      this.lambda.onFailure = (invocation, reason, error) =>
        console.log(
          `${new Date(sim.now).toISOString()} ${invocation.fn}#${invocation.id} FAILED (${reason})${error instanceof Error ? `: ${error.name}: ${error.message}` : ""}`,
        );
    const ledgers = new Map<string, MemoryCreditLedger>();
    this.stacks = Array.from({ length: scenario.stacks }, (_, i) => new SimStack(this, i, ledgers, echo));
  }
}

/** One deployed stack (dev, prod): its table, queues, Scheduler group, bus and functions. */
export class SimStack {
  readonly index: number;
  readonly name: string;
  readonly store: MemorySessionStore;
  /** Coverage state, in the stack's table (a coverage scenario only). */
  readonly coverage: MemoryCoverageStore | undefined;
  readonly ledger: MemoryCreditLedger;
  readonly queue: SimQueue;
  readonly deadLetterQueue: SimQueue;
  readonly scheduler: SimScheduler;
  readonly bus: SimEventBus;
  readonly telemetry: Telemetry;
  readonly settings: PipelineSettings;
  readonly #world: SimWorld;
  readonly #random: Random;

  constructor(world: SimWorld, index: number, ledgers: Map<string, MemoryCreditLedger>, echo: boolean) {
    const { sim, faults, scenario } = world;
    this.#world = world;
    this.index = index;
    this.name = `stack${index}`;
    this.#random = world.random.fork(this.name);
    // What the runtime derives from the stack's settings: the lease and the visibility from the processor timeout
    // infra deploys (DQ_PROCESSOR_TIMEOUT_SECONDS), the very numbers the queue below is made with.
    this.settings = defaultSettings({
      windowMs: 60_000,
      creditsPerWindow: scenario.creditsPerMinute,
      creditsPerDay: scenario.creditsPerDay,
      batchSize: scenario.batchSize,
      ...deployedTimings(scenario.processorTimeoutSeconds),
    });
    const table = `dq-${this.name}-table`;
    this.store = new MemorySessionStore({ clock: () => sim.now, ttlDays: scenario.retentionDays });
    this.coverage = scenario.coverage ? new MemoryCoverageStore({ clock: () => sim.now }) : undefined;
    // Where this stack's runtime keeps the credit ledger: a second stack on the same provider key names the first
    // one's table (DQ_LEDGER_TABLE; the deploy refuses the sharing otherwise), so both spend from one ledger.
    const ledgerTable = index > 0 ? "dq-stack0-table" : table;
    let ledger = ledgers.get(ledgerTable);
    if (ledger === undefined) {
      ledger = new MemoryCreditLedger({
        creditsPerSlot: scenario.creditsPerMinute,
        creditsPerDay: scenario.creditsPerDay,
        windowMs: this.settings.windowMs,
        marginMs: this.settings.marginMs,
      });
      ledgers.set(ledgerTable, ledger);
    }
    this.ledger = ledger;
    this.deadLetterQueue = new SimQueue(sim, this.#random.fork("dlq"), faults, {
      name: `${this.name}-dlq`,
      visibilityTimeoutMs: 6 * FUNCTIONS.deadLetter.timeoutSeconds * 1000,
      maxConcurrency: 2,
    });
    this.queue = new SimQueue(sim, this.#random.fork("queue"), faults, {
      name: `${this.name}-work`,
      visibilityTimeoutMs: workQueueTimings(scenario.processorTimeoutSeconds).visibilityTimeoutSeconds * 1000,
      maxReceiveCount: QUEUE.maxReceiveCount,
      deadLetterQueue: this.deadLetterQueue,
      maxConcurrency: scenario.processorConcurrency,
    });
    this.scheduler = new SimScheduler(sim, this.#random.fork("scheduler"), this.queue);
    this.bus = new SimEventBus(sim);
    this.telemetry = new Telemetry(sim, echo);
    const handlers = {
      processor: createProcessorHandler,
      deadLetter: createDeadLetterHandler,
    };
    const consumer =
      (fn: "processor" | "deadLetter") =>
      async (message: QueuedMessage): Promise<boolean> => {
        const timeout = fn === "processor" ? scenario.processorTimeoutSeconds : FUNCTIONS[fn].timeoutSeconds;
        const outcome = await world.lambda.invoke(fn, timeout * 1000, (invocation) => {
          const handler = handlers[fn](async () => this.#runtime(invocation));
          return handler(sqsEvent(message, world.sim.now), lambdaContext(fn));
        });
        return outcome.ok && outcome.value.batchItemFailures.length === 0;
      };
    this.queue.consume(consumer("processor"));
    this.deadLetterQueue.consume(consumer("deadLetter"));
  }

  /** The runtime one invocation sees: the stack's ports through its faults, its clock, its logs. */
  #runtime(invocation: Invocation): PipelineRuntime {
    const world = this.#world;
    const { lambda } = world;
    const datalakeRandom = this.#random.fork(`datalake-${invocation.id}`);
    const ctx: PipelineContext = {
      store: lambda.instrument(this.store, "store", invocation),
      ledger: lambda.instrument(this.ledger, "ledger", invocation),
      queue: lambda.instrument(this.queue, "queue", invocation),
      events: lambda.instrument(this.bus, "events", invocation),
      resume: lambda.instrument(this.scheduler, "resume", invocation),
      // The coverage items live in the stack's table: its calls meet the table's latency and faults.
      ...(this.coverage ? { coverage: lambda.instrument(this.coverage, "store", invocation) } : {}),
      provider: world.provider.forInvocation(invocation),
      datalakeFor: () =>
        world.datalake.forInvocation(invocation, datalakeRandom, world.scenario.datalakeFailureRate, () =>
          world.faults.count("datalake read failure"),
        ),
      clock: invocation.clock,
      sleep: invocation.sleep,
      log: this.telemetry.logFor(invocation.id, invocation.fn),
      metrics: this.telemetry.sink,
      settings: this.settings,
    };
    const operations = new Operations(ctx, {
      datalake: "sim://datalake/{symbol}.csv",
      lookbackDays: world.scenario.coverage?.lookbackDays ?? 10,
    });
    return { ctx, operations, config: {} as RuntimeConfig, flush() {} };
  }

  /**
   * Starts a session as its trigger does: the daily schedule and Slack through an asynchronous invoke (retried
   * twice by Lambda, one and two minutes apart, then the failed-start queue), the CLI through a synchronous one.
   */
  start(input: StartInput, trigger: "schedule" | "slack" | "cli"): void {
    const world = this.#world;
    const record: StartRecord = { stack: this.index, trigger, input, failed: false };
    world.starts.push(record);
    const coordinator = (invocation: Invocation) =>
      createCoordinatorHandler(async () => this.#runtime(invocation))(input);
    const timeout = FUNCTIONS.coordinator.timeoutSeconds * 1000;
    if (trigger === "cli") {
      void world.lambda.invoke("coordinator", timeout, coordinator).then((outcome) => {
        if (!outcome.ok) record.failed = true;
      });
      return;
    }
    const attempt = (n: number) => {
      void world.lambda.invoke("coordinator", timeout, coordinator).then((outcome) => {
        if (outcome.ok) return;
        if (n >= 2) {
          record.failed = true;
          return;
        }
        world.sim.after((n === 0 ? 60_000 : 120_000) + this.#random.between(0, 5_000), () => attempt(n + 1));
      });
    };
    world.sim.after(this.#random.between(10, 1_500), () => attempt(0));
    if (world.faults.roll(world.faults.rates.duplicateAsyncEvent, "lambda delivered an async event twice"))
      world.sim.after(this.#random.between(100, 30_000), () => attempt(0));
  }

  /** An operator's command through the Slack function (a synchronous invocation); the operator retries a failure once. */
  operate(what: string, action: (operations: Operations) => Promise<unknown>, retried = false): void {
    const world = this.#world;
    void world.lambda
      .invoke("slack", FUNCTIONS.slack.timeoutSeconds * 1000, (invocation) =>
        action(this.#runtime(invocation).operations),
      )
      .then((outcome) => {
        if (!outcome.ok && !retried)
          world.sim.after(this.#random.between(5_000, 60_000), () => this.operate(what, action, true));
      });
  }
}

function sqsEvent(message: QueuedMessage, now: number): SQSEvent {
  return {
    Records: [
      {
        messageId: message.id,
        receiptHandle: `${message.id}#${message.receiveCount}`,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: "sim",
          ApproximateFirstReceiveTimestamp: String(now),
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:dq-sim-work",
        awsRegion: "us-east-1",
      },
    ],
  };
}

function lambdaContext(fn: string): Context {
  return { functionName: fn, awsRequestId: "sim", getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
}
