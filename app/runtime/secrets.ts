import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";

/** A secret that could not be read. Names the variable or parameter, never the value. */
export class SecretError extends Error {
  override name = "SecretError";
}

const cache = new Map<string, Promise<string>>();
let ssm: SSMClient | undefined;

/**
 * A secret from the environment: the value itself in `valueVar` (local stack, tests), or the name of an SSM
 * SecureString parameter in `parameterVar` (AWS), read once per cold start and cached. Never logged.
 */
export function resolveSecret(
  env: NodeJS.ProcessEnv,
  valueVar: string,
  parameterVar: string,
  options: { required: boolean; client?: SSMClient } = { required: true },
): Promise<string> {
  const parameter = env[parameterVar];
  if (parameter) {
    let pending = cache.get(parameter);
    if (!pending) {
      ssm ??= options.client ?? new SSMClient({});
      pending = readParameter(ssm, parameter);
      pending.catch(() => cache.delete(parameter));
      cache.set(parameter, pending);
    }
    return pending;
  }
  const value = env[valueVar];
  if (value) return Promise.resolve(value);
  if (options.required) return Promise.reject(new SecretError(`neither ${parameterVar} nor ${valueVar} is set`));
  return Promise.resolve("");
}

async function readParameter(client: SSMClient, name: string): Promise<string> {
  try {
    const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = out.Parameter?.Value;
    if (!value) throw new SecretError(`SSM parameter ${name} is empty`);
    return value;
  } catch (error) {
    if (error instanceof SecretError) throw error;
    throw new SecretError(`cannot read SSM parameter ${name}: ${(error as Error).name}`, { cause: error });
  }
}
