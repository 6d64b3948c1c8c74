import * as pulumi from "@pulumi/pulumi";
import { type InfraNames, infraNames } from "../../infra/names.ts";
import { createStack, type DqStackOutputs } from "../../infra/stack.ts";

export const REGION = "eu-west-1";
export const ACCOUNT = "123456789012";

/** A resource as the program registered it. */
export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The provider reference (`<urn>::<id>`), empty for the default provider. */
  provider: string;
  /** Resource options the engine would apply, as the registration carried them. */
  options: { ignoreChanges: string[]; protect: boolean };
}

/** What the registration request says about a resource's options (the mocks' own arguments do not carry them). */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getIgnorechangesList(): string[];
  getProtect(): boolean | undefined;
}

/** A statement of a parsed IAM policy document. */
export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function arnFor(type: string, name: string, inputs: Record<string, unknown>): string {
  const at = `${REGION}:${ACCOUNT}`;
  switch (type) {
    case "aws:dynamodb/table:Table":
      return `arn:aws:dynamodb:${at}:table/${name}`;
    case "aws:sqs/queue:Queue":
    case "aws:sns/topic:Topic":
      return `arn:aws:${type.startsWith("aws:sqs") ? "sqs" : "sns"}:${at}:${name}`;
    case "aws:lambda/function:Function":
      return `arn:aws:lambda:${at}:function:${name}`;
    case "aws:iam/role:Role":
      return `arn:aws:iam::${ACCOUNT}:role/${name}`;
    case "aws:cloudwatch/logGroup:LogGroup":
      return `arn:aws:logs:${at}:log-group:${name}`;
    case "aws:cloudwatch/eventBus:EventBus":
      return `arn:aws:events:${at}:event-bus/${name}`;
    case "aws:cloudwatch/eventRule:EventRule":
      return `arn:aws:events:${at}:rule/${String(inputs.eventBusName)}/${name}`;
    case "aws:scheduler/scheduleGroup:ScheduleGroup":
      return `arn:aws:scheduler:${at}:schedule-group/${name}`;
    case "aws:scheduler/schedule:Schedule":
      return `arn:aws:scheduler:${at}:schedule/${String(inputs.groupName)}/${name}`;
    case "aws:ssm/parameter:Parameter":
      return `arn:aws:ssm:${at}:parameter${name}`;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return `arn:aws:cloudwatch:${at}:alarm:${name}`;
    default:
      return `arn:aws:${type.split(":")[1]?.split("/")[0]}:${at}:${name}`;
  }
}

/** Pulumi mocks that record every resource and give it the names, ARNs and URLs AWS would. */
/**
 * What an AWS account already holds, shared by the stacks built in it: its SSM parameters. As in AWS, a parameter
 * cannot be created twice.
 */
export class MockAccount {
  readonly parameters = new Map<string, string>();
}

export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: Registered[] = [];
  readonly #options = new Map<string, Registered["options"]>();
  readonly account: MockAccount;

  constructor(account = new MockAccount()) {
    this.account = account;
  }

  /** Records each registration's options; call after setMocks, which installs the monitor this wraps. */
  watchOptions(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
      registerResource(req: RegisterRequest, callback: unknown): unknown;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
      this.#options.set(`${req.getType()}::${req.getName()}`, {
        ignoreChanges: req.getIgnorechangesList(),
        protect: req.getProtect() ?? false,
      });
      return register(req, callback);
    };
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = args.inputs as Record<string, unknown>;
    const options = this.#options.get(`${args.type}::${args.name}`) ?? { ignoreChanges: [], protect: false };
    if (args.type === "aws:ssm/parameter:Parameter") {
      const parameter = String(inputs.name);
      if (this.account.parameters.has(parameter)) {
        throw new Error(`ParameterAlreadyExists: the parameter ${parameter} already exists`);
      }
      const value = unwrapSecret(inputs.insecureValue ?? inputs.value).value;
      this.account.parameters.set(parameter, String(value));
    }
    this.resources.push({ type: args.type, name: args.name, inputs, provider: args.provider ?? "", options });
    const name = typeof inputs.name === "string" ? inputs.name : `${args.name}-0a1b2c3`;
    const state: Record<string, unknown> = { ...inputs, name, arn: arnFor(args.type, name, inputs) };
    if (args.type === "aws:sqs/queue:Queue") state.url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
    if (args.type === "aws:lambda/functionUrl:FunctionUrl")
      state.functionUrl = `https://abc123.lambda-url.${REGION}.on.aws/`;
    if (args.type === "aws:lambda/eventSourceMapping:EventSourceMapping") state.uuid = `${args.name}-uuid`;
    if (args.type === "aws:ssm/parameter:Parameter") state.version = 1;
    return { id: `${name}-id`, state };
  }

  /** The data sources the program read, by token. */
  readonly calls: string[] = [];

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    this.calls.push(args.token);
    switch (args.token) {
      case "aws:index/getRegion:getRegion":
        return { id: REGION, name: REGION, region: REGION };
      case "aws:index/getPartition:getPartition":
        return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
      case "aws:ssm/getParametersByPath:getParametersByPath": {
        const path = `${String(args.inputs.path)}/`;
        const names = [...this.account.parameters.keys()].filter((n) => n.startsWith(path));
        const values = names.map((n) => this.account.parameters.get(n) as string);
        return { id: path, path: args.inputs.path, names, values, arns: names, types: names.map(() => "String") };
      }
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/deployer`, userId: "AIDEXAMPLE" };
      default:
        throw new Error(`unexpected call ${args.token}`);
    }
  }

  ofType(type: string): Registered[] {
    return this.resources.filter((r) => r.type === type);
  }

  one(type: string, name: string): Registered {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}; have ${this.ofType(type).map((r) => r.name)}`);
    return found;
  }

  /** Every IAM statement of every role policy, with the policy's resource name. */
  statements(): { policy: string; statement: PolicyStatement }[] {
    return this.ofType("aws:iam/rolePolicy:RolePolicy").flatMap((p) =>
      (JSON.parse(String(p.inputs.policy)) as { Statement: PolicyStatement[] }).Statement.map((statement) => ({
        policy: p.name,
        statement,
      })),
    );
  }

  /** The statements of one role's policy, by the policy's resource name. */
  policy(name: string): PolicyStatement[] {
    const p = this.one("aws:iam/rolePolicy:RolePolicy", name);
    return (JSON.parse(String(p.inputs.policy)) as { Statement: PolicyStatement[] }).Statement;
  }
}

const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

/** A secret input arrives in the mocks wrapped with Pulumi's secret signature; this returns what it wraps. */
export function unwrapSecret(value: unknown): { secret: boolean; value: unknown } {
  if (typeof value === "object" && value !== null && SECRET_SIGNATURE in value) {
    return { secret: true, value: (value as unknown as { value: unknown }).value };
  }
  return { secret: false, value };
}

/** The resolved value of an output. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Resolves once the program has no registration left in flight. */
async function settle(): Promise<void> {
  // waitForRPCs is exported by the runtime but not typed: it is the queue the engine itself waits on.
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (runtime.waitForRPCs) await runtime.waitForRPCs();
  await new Promise((resolve) => setTimeout(resolve, 10));
}

/** `dq:` keys as the Pulumi CLI hands them to the program. */
export const CONFIG_OF = (keys: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(keys).map(([k, v]) => [`dq:${k}`, v]));

/** Config for a valid stack: the keys without defaults and the secrets (and `aws:region`, set by buildStack). */
export const REQUIRED_CONFIG: Record<string, string> = {
  datalake: "s3://market-lake/daily/{symbol}/bars.parquet",
  slackChannel: "C0123ABCD",
  alarmEmail: "oncall@example.com",
  twelveDataApiKey: "td-key-that-must-stay-secret",
  slackBotToken: "xoxb-token-that-must-stay-secret",
  slackSigningSecret: "signing-secret-that-must-stay-secret",
};
export const SECRET_VALUES = [
  REQUIRED_CONFIG.twelveDataApiKey,
  REQUIRED_CONFIG.slackBotToken,
  REQUIRED_CONFIG.slackSigningSecret,
] as string[];

/** A stub deployment package: the stack tests are about resources, bundling has its own tests. */
function stubCode(): pulumi.asset.Archive {
  return new pulumi.asset.AssetArchive({
    "index.mjs": new pulumi.asset.StringAsset("export const handler = async () => ({});"),
  });
}

/**
 * The project directory the stacks are built in unless a test names one: it has no dq.config.yaml, so a stack
 * gets the default profile whatever the repository's own dq.config.yaml says.
 */
export const PROJECT_WITHOUT_PROFILE = new URL("./fixtures/", import.meta.url).pathname;

export interface BuiltStack {
  mocks: RecordingMocks;
  outputs: DqStackOutputs;
  names: InfraNames;
}

/** Runs the program on mocks for a stack name and `dq:` config (plain strings, as the CLI passes them). */
export async function buildStack(
  stack: string,
  config: Record<string, string> = {},
  account = new MockAccount(),
  projectDir = PROJECT_WITHOUT_PROFILE,
): Promise<BuiltStack> {
  const mocks = new RecordingMocks(account);
  await pulumi.runtime.setMocks(mocks, "dq", stack, false);
  mocks.watchOptions();
  const all = { ...REQUIRED_CONFIG, ...config };
  pulumi.runtime.setAllConfig({ ...CONFIG_OF(all), "aws:region": REGION }, [
    "dq:twelveDataApiKey",
    "dq:slackBotToken",
    "dq:slackSigningSecret",
  ]);
  const outputs = createStack({ code: stubCode, projectDir });
  await promiseOf(pulumi.all(Object.values(outputs)));
  await settle();
  return { mocks, outputs, names: infraNames(stack) };
}

/**
 * Builds a stack that must fail, and returns why. A registration that fails in the program (an output whose apply
 * throws) surfaces as an unhandled rejection, as it does under `pulumi up`; it is caught here instead of being
 * reported as the test run's own error.
 */
export async function failureOf(
  stack: string,
  config: Record<string, string> = {},
  account = new MockAccount(),
  projectDir = PROJECT_WITHOUT_PROFILE,
): Promise<unknown> {
  const failures: unknown[] = [];
  const listeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const record = (reason: unknown) => failures.push(reason);
  process.on("unhandledRejection", record);
  try {
    await buildStack(stack, config, account, projectDir).catch(record);
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off("unhandledRejection", record);
    for (const listener of listeners) process.on("unhandledRejection", listener);
  }
  if (failures.length === 0) throw new Error(`stack ${stack} built without failing`);
  return failures[0];
}
