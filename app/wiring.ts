/**
 * The one place that names things and fixes how they connect. Both the Pulumi program (infra/) and the local
 * stack (local/) read it, so the cloud and the local stack cannot drift apart.
 */

export const EVENT_SOURCE = "dq.monitor";

export const DetailType = {
  workflowCompleted: "WorkflowCompleted",
  workflowFailed: "WorkflowFailed",
  sessionProgress: "SessionProgress",
} as const;
export type DetailType = (typeof DetailType)[keyof typeof DetailType];

export const EVENT_SCHEMA_VERSION = 1;

/** The Lambda functions, their entry modules and sizes. Memory and timeout are defaults; stack config may override. */
export const FUNCTIONS = {
  coordinator: { entry: "app/handlers/coordinator.ts", memoryMb: 512, timeoutSeconds: 60 },
  processor: { entry: "app/handlers/processor.ts", memoryMb: 512, timeoutSeconds: 60 },
  deadLetter: { entry: "app/handlers/dead-letter.ts", memoryMb: 256, timeoutSeconds: 30 },
  // The report step (a page of every symbol, PNG charts in WebAssembly) runs in the notifier when a session ends.
  notifier: { entry: "app/handlers/notifier.ts", memoryMb: 512, timeoutSeconds: 60 },
  slack: { entry: "app/handlers/slack.ts", memoryMb: 512, timeoutSeconds: 30 },
} as const;
export type FunctionName = keyof typeof FUNCTIONS;

/**
 * How the functions' bundles are laid out on disk: `<dir>/<function name>/index.mjs` and its source map. infra
 * deploys each function's directory as its archive; the local stack can run the same files (`bundles` option).
 */
export const BUNDLE = {
  /** Relative to the repository root, ignored by git. */
  dir: "dist/lambda",
  file: "index.mjs",
  /** The Lambda handler setting: the `handler` export of index.mjs. */
  handler: "index.handler",
} as const;

/**
 * Files a module reads at run time instead of importing them (esbuild cannot inline them): the report's charting
 * library browser build (inlined into every page), resvg's WebAssembly module (rasterizes charts for Slack on any
 * CPU, Lambda's arm64 included) and the font the labels are drawn with (a Lambda has no system fonts). A bundle
 * that includes `module` ships each `file` beside its index.mjs (infra/bundle.ts), where the module looks first;
 * elsewhere each is read from its npm package (`from`).
 */
export const RUNTIME_ASSETS = {
  module: "app/report/assets.ts",
  files: {
    echarts: { file: "echarts.min.js", from: "echarts/dist/echarts.min.js" },
    resvgWasm: { file: "resvg.wasm", from: "@resvg/resvg-wasm/index_bg.wasm" },
    font: { file: "DejaVuSans.ttf", from: "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" },
  },
} as const;

export const QUEUE = {
  /** Lambda's event source mapping: one message per invocation, partial batch failures reported. */
  batchSize: 1,
  /**
   * Receives of a work message before it goes to the DLQ. Throttled receives count too (a new account's
   * concurrency quota throttles readily), so fewer would dead-letter batches that never ran. The pump's sweep of
   * lost messages waits out every receive, so it follows this number.
   */
  maxReceiveCount: 5,
  /** Receives of a dead letter by its own consumer before it is parked for a person (and alarmed). */
  deadLetterMaxReceiveCount: 3,
  /** At least 6 x the processor timeout, as AWS recommends for SQS event sources. */
  visibilityTimeoutSeconds: 6 * FUNCTIONS.processor.timeoutSeconds,
  messageRetentionSeconds: 4 * 24 * 3600,
  /** SQS's maximum. A standard queue's dead letter keeps its first enqueue time, so this must exceed the above. */
  deadLetterRetentionSeconds: 14 * 24 * 3600,
  /** SQS caps DelaySeconds at 15 minutes: the pump never reserves a window further out than this. */
  delayHorizonSeconds: 900,
} as const;

/**
 * The work queue's timings for a processor timeout, which a stack may override: infra deploys the visibility
 * timeout from it, and the pipeline derives its batch lease and its sweep of lost messages from the same numbers
 * (the processor timeout reaches it in DQ_PROCESSOR_TIMEOUT_SECONDS), so they cannot drift apart.
 */
export function workQueueTimings(processorTimeoutSeconds: number) {
  const visibilityTimeoutSeconds = Math.max(QUEUE.visibilityTimeoutSeconds, 6 * processorTimeoutSeconds);
  return {
    visibilityTimeoutSeconds,
    /** A claimed batch belongs to its worker this long: past any invocation, before the message comes back. */
    leaseSeconds: 2 * processorTimeoutSeconds,
    /** A message that keeps failing has used all its receives (and gone to the DLQ) this long after its delay. */
    allReceivesSeconds: QUEUE.maxReceiveCount * visibilityTimeoutSeconds,
  };
}

/** EventBridge rules: which detail types reach which function. */
export const RULES = [
  {
    name: "workflow-finished",
    description: "WorkflowCompleted and WorkflowFailed to the Slack notifier",
    pattern: { source: [EVENT_SOURCE], "detail-type": [DetailType.workflowCompleted, DetailType.workflowFailed] },
    target: "notifier",
  },
  {
    name: "session-progress",
    description: "SessionProgress to the Slack notifier, for the live message",
    pattern: { source: [EVENT_SOURCE], "detail-type": [DetailType.sessionProgress] },
    target: "notifier",
  },
] as const satisfies readonly {
  name: string;
  description: string;
  pattern: { source: readonly string[]; "detail-type": readonly string[] };
  target: FunctionName;
}[];

export const SCHEDULE = {
  /** 04:30 UTC Tuesday to Saturday: after each US session (16:00 New York is 20:00 or 21:00 UTC). */
  defaultCron: "cron(30 4 ? * TUE-SAT *)",
  defaultTimezone: "UTC",
  retryAttempts: 2,
  maxEventAgeSeconds: 3600,
  /**
   * What the daily schedule sends the coordinator. Scheduler fills in the scheduled time, which stays the same
   * across the retries of one occurrence: the coordinator keys the session on it, so a retried invocation cannot
   * start a second session.
   */
  dailyInput: { startedBy: { kind: "schedule" }, idempotencyKey: "<aws.scheduler.scheduled-time>" },
} as const;

/**
 * Where the functions' metrics land: one CloudWatch namespace, and per stack Powertools' `service` dimension
 * (`dq-<stack>`) plus a `stack` dimension, so two stacks in one account never share an alarm or a dashboard.
 */
export const METRICS = {
  namespace: "dq",
  service: (stack: string) => `dq-${stack}`,
  dimensions: (stack: string) => ({ service: `dq-${stack}`, stack }),
} as const;

/** Environment variable names the handlers read (once, at the edge). */
export const ENV = {
  /** The stack's name, for the metrics' `stack` dimension. */
  stack: "DQ_STACK",
  /** Powertools' service name (logs and the metrics' `service` dimension): `dq-<stack>`. */
  powertoolsServiceName: "POWERTOOLS_SERVICE_NAME",
  tableName: "DQ_TABLE_NAME",
  queueUrl: "DQ_QUEUE_URL",
  eventBusName: "DQ_EVENT_BUS_NAME",
  scheduleGroup: "DQ_SCHEDULE_GROUP",
  schedulerRoleArn: "DQ_SCHEDULER_ROLE_ARN",
  coordinatorArn: "DQ_COORDINATOR_ARN",
  queueArn: "DQ_QUEUE_ARN",
  /** Where the pump's one-time resume schedules dead-letter (the start DLQ). */
  resumeDeadLetterArn: "DQ_RESUME_DEAD_LETTER_ARN",
  dailyScheduleName: "DQ_DAILY_SCHEDULE_NAME",
  twelveDataBaseUrl: "TWELVEDATA_BASE_URL",
  twelveDataApiKey: "TWELVEDATA_API_KEY",
  twelveDataApiKeyParameter: "TWELVEDATA_API_KEY_PARAMETER",
  /**
   * The credit ledger's account (the hash of the provider key, computed by infra), so functions that never call the
   * provider need no access to the key itself.
   */
  ledgerAccount: "DQ_LEDGER_ACCOUNT",
  /** The table holding the credit ledger when it is another stack's (two stacks on one provider key); else unset. */
  ledgerTable: "DQ_LEDGER_TABLE",
  creditsPerMinute: "DQ_CREDITS_PER_MINUTE",
  creditsPerDay: "DQ_CREDITS_PER_DAY",
  creditWindowSeconds: "DQ_CREDIT_WINDOW_SECONDS",
  batchSize: "DQ_BATCH_SIZE",
  datalake: "DQ_DATALAKE",
  /** The explicit universe, as lists (the local stack and tests; on AWS see universeParameterPath). */
  symbols: "DQ_SYMBOLS",
  denySymbols: "DQ_DENY_SYMBOLS",
  /** The SSM path of the stack's universe parameters, which Lambda's 4 KB environment could not hold. */
  universeParameterPath: "DQ_UNIVERSE_PARAMETER_PATH",
  lookbackDays: "DQ_LOOKBACK_DAYS",
  /** `auto` (a universe larger than the plan's day is checked in rotation) or `off` (always whole). */
  coverage: "DQ_COVERAGE",
  retentionDays: "DQ_RETENTION_DAYS",
  /** The processor's timeout (seconds), which the lease and the sweep of lost messages follow. */
  processorTimeoutSeconds: "DQ_PROCESSOR_TIMEOUT_SECONDS",
  slackSigningSecret: "SLACK_SIGNING_SECRET",
  slackBotToken: "SLACK_BOT_TOKEN",
  slackSigningSecretParameter: "SLACK_SIGNING_SECRET_PARAMETER",
  slackBotTokenParameter: "SLACK_BOT_TOKEN_PARAMETER",
  slackApiUrl: "SLACK_API_URL",
  slackChannel: "DQ_SLACK_CHANNEL",
  slackAllowedUsers: "DQ_SLACK_ALLOWED_USERS",
  slackAllowedChannels: "DQ_SLACK_ALLOWED_CHANNELS",
  slackAdmins: "DQ_SLACK_ADMINS",
  /** The Slack function's own name, which it invokes to run a request's work after acknowledging it. */
  slackFunctionName: "DQ_SLACK_FUNCTION_NAME",
  /** The bot's user ID (U…) and bot ID (B…): with them, Bolt never calls auth.test. */
  slackBotUserId: "DQ_SLACK_BOT_USER_ID",
  slackBotId: "DQ_SLACK_BOT_ID",
  /** Mentioned on a failed session: a user group (S…) or a user (U…). */
  slackOncall: "DQ_SLACK_ONCALL",
  /** `all` (every summary) or `failures` (scheduled sessions that pass post nothing). */
  slackNotify: "DQ_SLACK_NOTIFY",
  /** `HH:MM-HH:MM Area/City`: summaries still post, without the mention. */
  slackQuietHours: "DQ_SLACK_QUIET_HOURS",
  /** A link to a session's report, with `{session}`: the summary's "Open report" button. */
  slackReportUrl: "DQ_SLACK_REPORT_URL",
  /** The notifier's reports bucket (infra/reports.ts): when set, each finished session's report page is kept there. */
  reportsBucket: "DQ_REPORTS_BUCKET",
  /** Seconds a report link opens its page. @default 604800 (7 days) */
  reportLinkSeconds: "DQ_REPORT_LINK_SECONDS",
  /**
   * The Slack function's URL, which opens report links (app/report/report-link.ts): when set, the notifier links
   * pages through it, so a link outlives the notifier's credentials; unset, it posts an S3 pre-signed URL.
   */
  reportLinkBase: "DQ_REPORT_LINK_BASE",
} as const;

/** Physical names per stack, so that the local stack and `dq` on AWS find the same things. */
export function resourceNames(stack: string) {
  const prefix = `dq-${stack}`;
  return {
    table: `${prefix}-table`,
    queue: `${prefix}-work`,
    deadLetterQueue: `${prefix}-work-dlq`,
    eventBus: `${prefix}-events`,
    scheduleGroup: `${prefix}-schedules`,
    dailySchedule: `${prefix}-daily`,
    function: (name: FunctionName) => `${prefix}-${name}`,
    /** SSM SecureString parameters holding the secrets (infra writes them; functions and the CLI read them). */
    secretParameters: {
      twelveDataApiKey: `/dq/${stack}/twelve-data-api-key`,
      slackBotToken: `/dq/${stack}/slack-bot-token`,
      slackSigningSecret: `/dq/${stack}/slack-signing-secret`,
    },
    /** SSM String parameters `<path>/<n>` holding the explicit universe (see app/config/universe-parameters.ts). */
    universeParameterPath: `/dq/${stack}/universe`,
  };
}

/**
 * Who holds the credit ledger of a provider key, per account and region: an SSM parameter
 * `<path>/<ledger account>` whose value is the table. The first stack on a key creates it; a second stack on the same
 * key is refused unless it names that table as its ledger table.
 */
export const LEDGER_CLAIMS_PATH = "/dq/ledgers";

/** The table's key schema and index. */
export const TABLE = {
  partitionKey: "PK",
  sortKey: "SK",
  ttlAttribute: "ttl",
  sessionsIndex: { name: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" },
} as const;
