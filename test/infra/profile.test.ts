import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { PROFILE_ENV, parseProfile, readProfileFile } from "../../app/config/load-profile.ts";
import { DEFAULT_PROFILE } from "../../app/config/profile.ts";
import type { FunctionName } from "../../app/wiring.ts";
import { loadStackConfig, StackConfigError } from "../../infra/config.ts";
import { environmentBytes, LAMBDA_ENVIRONMENT_BYTES } from "../../infra/environment.ts";
import { PROFILE_PARAMETER_BYTES, parameterTier, readStackProfile } from "../../infra/profile.ts";
import { ACCOUNT, type BuiltStack, buildStack, CONFIG_OF, REGION, REQUIRED_CONFIG } from "./pulumi-mocks.ts";

const PARAMETER = "aws:ssm/parameter:Parameter";
const REPO_PROFILE = new URL("../../dq.config.yaml", import.meta.url).pathname;
/** The functions that build the pipeline (app/runtime/pipeline-runtime.ts), and so read the profile. */
// The notifier reads it too: its report page reads the datalake as the profile says.
const READERS: FunctionName[] = ["coordinator", "processor", "deadLetter", "slack", "notifier"];

/** A project directory holding these files (paths relative to it). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dq-project-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** A profile of `n` aliases, about 22 bytes each as compact JSON. */
function aliases(n: number): string {
  const lines = Array.from(
    { length: n },
    (_, i) => `    "T${String(i).padStart(4, "0")}/A": T${String(i).padStart(4, "0")}-A`,
  );
  return `datalake:\n  aliases:\n${lines.join("\n")}\n`;
}

const env = (stack: BuiltStack, name: FunctionName) =>
  (
    stack.mocks.one("aws:lambda/function:Function", stack.names.function(name)).inputs.environment as {
      variables: Record<string, string>;
    }
  ).variables;
const profileReaders = (stack: BuiltStack) =>
  stack.mocks
    .statements()
    .filter(({ statement }) => statement.Sid === "ReadProfile")
    .map(({ policy, statement }) => [policy, statement.Action, statement.Resource]);

describe("the datalake profile on a deployed stack", () => {
  let plain: BuiltStack;
  let repo: BuiltStack;
  let big: BuiltStack;
  beforeAll(async () => {
    plain = await buildStack("plain");
    const withRepoProfile = project({});
    copyFileSync(REPO_PROFILE, join(withRepoProfile, "dq.config.yaml"));
    repo = await buildStack("repo", {}, undefined, withRepoProfile);
    big = await buildStack(
      "big",
      { profile: "profiles/big.yaml" },
      undefined,
      project({ "profiles/big.yaml": aliases(120) }),
    );
  });

  it("gives the functions the defaults ({}) when the project has no dq.config.yaml, so none looks for a file", () => {
    for (const name of READERS) expect(env(plain, name)[PROFILE_ENV.inline], name).toBe("{}");
    expect(parseProfile("{}", "test")).toEqual(DEFAULT_PROFILE);
  });

  it("passes the project's dq.config.yaml inline, as compact JSON that reads as the same profile", () => {
    for (const name of READERS) {
      const text = env(repo, name)[PROFILE_ENV.inline] as string;

      expect(text, name).toMatch(/^\{"adjust":"splits",/);
      expect(parseProfile(text, name)).toEqual(readProfileFile(REPO_PROFILE));
      expect(env(repo, name), name).not.toHaveProperty(PROFILE_ENV.parameter);
    }
    expect(repo.mocks.ofType(PARAMETER).map((p) => p.inputs.name)).not.toContain("/dq/repo/profile");
    expect(profileReaders(repo)).toEqual([]);
  });

  it("puts a profile too large for the environments in an SSM parameter, and names its version to the functions", () => {
    const parameter = big.mocks.one(PARAMETER, "dq-big-profile");

    expect(parameter.inputs).toMatchObject({ name: "/dq/big/profile", type: "String", tier: "Standard" });
    expect(parseProfile(String(parameter.inputs.insecureValue), "ssm").datalake.aliases["T0119/A"]).toBe("T0119-A");
    for (const name of READERS) {
      expect(env(big, name)[PROFILE_ENV.parameter], name).toBe("/dq/big/profile:1");
      expect(env(big, name), name).not.toHaveProperty(PROFILE_ENV.inline);
      expect(environmentBytes(env(big, name)), name).toBeLessThan(LAMBDA_ENVIRONMENT_BYTES);
    }
  });

  it("lets exactly the functions that read the parameter get it, and nothing else", () => {
    const arn = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/dq/big/profile`;

    expect(profileReaders(big).sort()).toEqual(
      READERS.map((name) => [`dq-big-${name}-policy`, ["ssm:GetParameter"], [arn]]).sort(),
    );
  });
});

describe("readStackProfile", () => {
  it("uses the Advanced tier's 8 KB past 4 KB, and refuses a profile no SSM parameter holds, naming the file", () => {
    const dir = project({ "mid.yaml": aliases(250), "huge.yaml": aliases(450) });

    const mid = readStackProfile("mid.yaml", dir);

    expect(Buffer.byteLength(mid.text)).toBeGreaterThan(PROFILE_PARAMETER_BYTES.standard);
    expect(parameterTier(mid.text)).toBe("Advanced");
    expect(parameterTier(readStackProfile("", project({ "dq.config.yaml": aliases(120) })).text)).toBe("Standard");
    expect(() => readStackProfile("huge.yaml", dir)).toThrow(
      /^profile huge\.yaml: \d+ bytes as the functions receive it, above the 8192 an SSM parameter holds/,
    );
  });
});

describe("a profile that would not deploy", () => {
  const load = (profile: string, dir: string) => {
    pulumi.runtime.setAllConfig({ ...CONFIG_OF({ ...REQUIRED_CONFIG, profile }), "aws:region": REGION }, [
      "dq:twelveDataApiKey",
      "dq:slackBotToken",
      "dq:slackSigningSecret",
    ]);
    return () => loadStackConfig(new pulumi.Config("dq"), "dev", new pulumi.Config("aws"), dir);
  };

  it("fails the deploy with one line naming the file and the key", () => {
    const dir = project({ "profiles/prod.yaml": "tolerances:\n  closePct: 500\n" });

    expect(load("profiles/prod.yaml", dir)).toThrow(StackConfigError);
    expect(load("profiles/prod.yaml", dir)).toThrow(
      /^stack dev: invalid config: dq:profile: profile profiles\/prod\.yaml: tolerances\.closePct: [^\n]+$/,
    );
  });

  it("fails on the project's own dq.config.yaml too, and on YAML that does not parse", () => {
    expect(load("", project({ "dq.config.yaml": "chekcs: {}\n" }))).toThrow(
      /^stack dev: invalid config: dq:profile: profile dq\.config\.yaml: .*chekcs/,
    );
    expect(load("", project({ "dq.config.yaml": "adjust: [splits\n" }))).toThrow(
      /^stack dev: invalid config: dq:profile: profile dq\.config\.yaml: not valid YAML: [^\n]+$/,
    );
  });

  it("fails when the file dq:profile names is not there", () => {
    expect(load("profiles/missing.yaml", project({}))).toThrow(
      /^stack dev: invalid config: dq:profile: profile profiles\/missing\.yaml: cannot read .*ENOENT$/,
    );
  });
});
