import type { SSMClient } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../app/config/config.ts";
import { encodeUniverse } from "../../app/config/universe-parameters.ts";
import { readUniverse } from "../../app/runtime/universe.ts";

/** An SSM client that answers GetParametersByPath from a list, `pageSize` at a time, as SSM pages them. */
function ssmWith(values: string[], pageSize = 10): { client: SSMClient; paths: string[] } {
  const paths: string[] = [];
  const client = {
    send: async (command: { input: { Path: string; NextToken?: string } }) => {
      paths.push(command.input.Path);
      const start = Number(command.input.NextToken ?? 0);
      const page = values.slice(start, start + pageSize).map((Value, i) => ({ Name: `p${start + i}`, Value }));
      return { Parameters: page, NextToken: start + pageSize < values.length ? String(start + pageSize) : undefined };
    },
  };
  return { client: client as unknown as SSMClient, paths };
}

describe("readUniverse", () => {
  it("reads every page of the path and joins the parts", async () => {
    const universe = { symbols: Array.from({ length: 2000 }, (_, i) => `S${i}`), deny: ["TEST"] };
    const parts = encodeUniverse(universe, 256);
    const { client, paths } = ssmWith(parts);

    expect(await readUniverse(client, "/dq/dev/universe")).toEqual(universe);
    expect(paths.length).toBe(Math.ceil(parts.length / 10));
    expect(new Set(paths)).toEqual(new Set(["/dq/dev/universe"]));
  });

  it("refuses to start on a missing universe rather than check an empty one", async () => {
    await expect(readUniverse(ssmWith([]).client, "/dq/dev/universe")).rejects.toThrow(ConfigError);
    await expect(readUniverse(ssmWith([]).client, "/dq/dev/universe")).rejects.toThrow(/\/dq\/dev\/universe/);
  });
});
