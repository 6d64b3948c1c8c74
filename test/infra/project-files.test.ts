import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, type ConfigKey, loadStackConfig, SECRET_KEYS, StackConfigSchema } from "../../infra/config.ts";

// Pulumi.yaml, Pulumi.dev.yaml and docs/deploy.md restate the program's config keys for people; these tests keep
// the three in step with infra/config.ts. The files are read with line patterns that fit their own layout.
const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");

interface Declared {
  type?: string;
  secret: boolean;
  default?: unknown;
}

/** The `config:` declarations of Pulumi.yaml: two-space keys, four-space attributes, JSON defaults. */
function projectConfig(text: string): Map<string, Declared> {
  const declared = new Map<string, Declared>();
  const lines = text.split("\n");
  let current: Declared | undefined;
  for (const line of lines.slice(lines.indexOf("config:") + 1)) {
    const key = /^ {2}(\w+):$/.exec(line);
    if (key?.[1]) {
      current = { secret: false };
      declared.set(key[1], current);
      continue;
    }
    const attribute = /^ {4}(type|secret|default): (.*)$/.exec(line);
    if (!current || !attribute) continue;
    if (attribute[1] === "type") current.type = attribute[2];
    if (attribute[1] === "secret") current.secret = attribute[2] === "true";
    if (attribute[1] === "default") current.default = JSON.parse(attribute[2] ?? "");
  }
  return declared;
}

/** The `dq:` values of a stack file, as the Pulumi CLI hands them to the program (lists as JSON). */
function stackConfig(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^ {2}dq:(\w+): (.+?)\s*(#.*)?$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const value = match[2];
    values[match[1]] = value.startsWith("[")
      ? JSON.stringify(JSON.parse(value))
      : value.startsWith('"')
        ? JSON.parse(value)
        : value;
  }
  return values;
}

/** The stack file's `aws:region`, which the program requires too. */
function awsRegion(text: string): string {
  return /^ {2}aws:region: ([a-z0-9-]+)/m.exec(text)?.[1] ?? "";
}

const KEYS = Object.keys(CONFIG_KEYS) as ConfigKey[];

describe("Pulumi.yaml", () => {
  const text = read("Pulumi.yaml");
  const declared = projectConfig(text);

  it("runs infra/index.ts with Node's own TypeScript support", () => {
    expect(text).toMatch(/^name: dq$/m);
    expect(text).toMatch(/^main: infra\/index\.ts$/m);
    expect(text).toMatch(/^ {4}typescript: false$/m);
    expect(text).toMatch(/^ {4}nodeargs: "--experimental-strip-types"$/m);
  });

  it("states the Pulumi CLI it needs", () => {
    expect(text).toMatch(/^requiredPulumiVersion: ">=3\.\d+\.\d+"$/m);
  });

  it("refreshes before every operation, so an update keeps what operators changed in the daily schedule", () => {
    expect(text).toMatch(/^options:\n {2}(#.*\n {2})*refresh: always$/m);
  });

  it("declares exactly the program's keys and secrets", () => {
    expect([...declared.keys()].sort()).toEqual([...KEYS, ...SECRET_KEYS].sort());
  });

  it.each(KEYS)("declares %s with the program's type and default", (key) => {
    const defaults = StackConfigSchema.shape[key].safeParse(undefined);
    const entry = declared.get(key);

    expect(entry?.type).toBe(CONFIG_KEYS[key]);
    if (defaults.success) expect(entry?.default).toEqual(defaults.data);
    else expect(entry).not.toHaveProperty("default");
  });

  it.each(SECRET_KEYS)("declares %s as a secret without a default", (key) => {
    expect(declared.get(key)).toEqual({ type: "string", secret: true });
  });
});

describe("Pulumi.dev.yaml", () => {
  const values = stackConfig(read("Pulumi.dev.yaml"));

  it("sets every non-secret key and no secret", () => {
    expect(Object.keys(values).sort()).toEqual([...KEYS].sort());
  });

  it("holds a configuration the program accepts", () => {
    const secrets = Object.fromEntries(SECRET_KEYS.map((k) => [`dq:${k}`, "set-with-pulumi-config-set-secret"]));
    pulumi.runtime.setAllConfig(
      {
        ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`dq:${k}`, v])),
        "aws:region": awsRegion(read("Pulumi.dev.yaml")),
        ...secrets,
      },
      Object.keys(secrets),
    );

    expect(loadStackConfig(new pulumi.Config("dq"), "dev").schedule.enabled).toBe(false);
  });
});

describe("docs/deploy.md", () => {
  const text = read("docs/deploy.md");

  it.each([...KEYS, ...SECRET_KEYS])("explains %s", (key) => {
    expect(text).toContain(`\`${key}\``);
  });

  it("names every stack output", () => {
    for (const output of [
      "slackRequestUrl",
      "tableName",
      "queueName",
      "deadLetterQueueName",
      "dashboardUrl",
      "eventBusName",
      "scheduleGroupName",
    ]) {
      expect(text).toContain(`\`${output}\``);
    }
  });

  it("shows a prod stack file whose keys the program knows", () => {
    const example = /```yaml\n(config:\n[\s\S]*?)```/.exec(text.slice(text.indexOf("Pulumi.prod.yaml")))?.[1] ?? "";
    const keys = [...example.matchAll(/^ {2}dq:(\w+):/gm)].map((m) => m[1]);

    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect([...KEYS, ...SECRET_KEYS]).toContain(key);
  });
});
