import { GetParametersByPathCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { ConfigError } from "../config/config.ts";
import { decodeUniverse, type Universe } from "../config/universe-parameters.ts";

/**
 * The stack's explicit universe from its SSM parameters under `path` (infra writes them, see
 * app/config/universe-parameters.ts), read once per cold start by the functions that start sessions.
 */
export async function readUniverse(client: SSMClient, path: string): Promise<Universe> {
  const values: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await client.send(new GetParametersByPathCommand({ Path: path, NextToken: token }));
      values.push(...(page.Parameters ?? []).map((p) => p.Value ?? ""));
      token = page.NextToken;
    } while (token);
  } catch (error) {
    throw new ConfigError(`cannot read the universe from SSM ${path}: ${(error as Error).name}`, { cause: error });
  }
  try {
    return decodeUniverse(values);
  } catch (error) {
    throw new ConfigError(`SSM ${path}: ${(error as Error).message}`, { cause: error });
  }
}
