import { beforeAll, describe, expect, it } from "vitest";
import { decodeUniverse, UNIVERSE_PART_BYTES } from "../../app/config/universe-parameters.ts";
import { ENV } from "../../app/wiring.ts";
import { environmentBytes, LAMBDA_ENVIRONMENT_BYTES } from "../../infra/environment.ts";
import { ACCOUNT, type BuiltStack, buildStack, REGION } from "./pulumi-mocks.ts";

const PARAMETER = "aws:ssm/parameter:Parameter";
const FUNCTION = "aws:lambda/function:Function";

/** A universe a few hundred tickers past what Lambda's environment holds: 1,500 to check, 300 never to check. */
const BIG = Array.from({ length: 1500 }, (_, i) => `S${String(i).padStart(4, "0")}.X`);
const DENIED = Array.from({ length: 300 }, (_, i) => `D${String(i).padStart(4, "0")}`);

const variables = (stack: BuiltStack) =>
  stack.mocks
    .ofType(FUNCTION)
    .map(
      (f) =>
        [String(f.inputs.name), (f.inputs.environment as { variables: Record<string, string> }).variables] as const,
    );
const universeParts = (stack: BuiltStack) =>
  stack.mocks.ofType(PARAMETER).filter((p) => String(p.inputs.name).includes("/universe/"));

describe("the universe", () => {
  let dev: BuiltStack;
  let big: BuiltStack;
  beforeAll(async () => {
    dev = await buildStack("dev", { symbols: JSON.stringify(["AAPL", "MSFT"]), denySymbols: JSON.stringify(["TEST"]) });
    big = await buildStack("big", { symbols: JSON.stringify(BIG), denySymbols: JSON.stringify(DENIED) });
  });

  it("lives in SSM String parameters of the free tier, not in the functions' environment", () => {
    expect(universeParts(dev).map((p) => [p.inputs.name, p.inputs.type, p.inputs.tier])).toEqual([
      ["/dq/dev/universe/000", "String", "Standard"],
    ]);
    expect(decodeUniverse(universeParts(dev).map((p) => String(p.inputs.insecureValue)))).toEqual({
      symbols: ["AAPL", "MSFT"],
      deny: ["TEST"],
    });
    for (const [, env] of variables(dev)) {
      expect(env).not.toHaveProperty(ENV.symbols);
      expect(env).not.toHaveProperty(ENV.denySymbols);
    }
  });

  it("deploys at any size: as many parts of at most 4 KB as it takes, read back whole", () => {
    const parts = universeParts(big);

    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts)
      expect(Buffer.byteLength(String(p.inputs.insecureValue))).toBeLessThanOrEqual(UNIVERSE_PART_BYTES);
    expect(decodeUniverse(parts.map((p) => String(p.inputs.insecureValue)))).toEqual({ symbols: BIG, deny: DENIED });
  });

  it("leaves every function's environment below Lambda's 4 KB, whatever the universe", () => {
    for (const [name, env] of variables(big)) {
      expect(environmentBytes(env), name).toBeLessThan(LAMBDA_ENVIRONMENT_BYTES);
      expect(JSON.stringify(env), name).not.toContain("S0042.X");
    }
  });

  it("is read by the coordinator, which starts sessions, and by no other function", () => {
    const path = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/dq/big/universe`;
    const readers = big.mocks
      .statements()
      .filter(({ statement }) => [statement.Action].flat().includes("ssm:GetParametersByPath"));

    expect(Object.fromEntries(variables(big))["dq-big-coordinator"]?.[ENV.universeParameterPath]).toBe(
      "/dq/big/universe",
    );
    expect(readers.map(({ policy, statement }) => [policy, statement.Resource])).toEqual([
      ["dq-big-coordinator-policy", [path]],
    ]);
  });
});

describe("config that would not deploy", () => {
  it("is refused before anything is built when a function's environment would pass 4 KB, naming the key", async () => {
    const users = Array.from({ length: 400 }, (_, i) => `U${String(i).padStart(9, "0")}`);

    await expect(buildStack("crowded", { slackAllowedUsers: JSON.stringify(users) })).rejects.toThrow(
      /the slack function's environment would take \d+ bytes, above Lambda's 4096: shorten dq:slackAllowedUsers \(4399 bytes\)/,
    );
  });
});
