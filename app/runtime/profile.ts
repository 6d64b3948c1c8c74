import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { ConfigError } from "../config/config.ts";
import { type LoadedProfile, loadProfile, PROFILE_ENV, ProfileError, parseProfile } from "../config/load-profile.ts";

/**
 * The profile in force for a function: `DQ_PROFILE` (the text, when it fits the environment), else the SSM
 * parameter `DQ_PROFILE_PARAMETER` names (`name:version`, set by infra when the profile is too large for Lambda's
 * 4 KB environment: the version pins what this deploy wrote), else what loadProfile finds (a file, the defaults).
 * Read once per cold start, by the runtime that caches it.
 */
export async function resolveProfile(env: NodeJS.ProcessEnv, ssm: () => SSMClient): Promise<LoadedProfile> {
  const parameter = env[PROFILE_ENV.parameter];
  const inline = env[PROFILE_ENV.inline];
  if (!parameter || (inline !== undefined && inline.trim() !== "")) return loadProfile(env);
  const source = `SSM parameter ${parameter}`;
  let text: string | undefined;
  try {
    text = (await ssm().send(new GetParameterCommand({ Name: parameter }))).Parameter?.Value;
  } catch (error) {
    throw new ConfigError(`cannot read the profile from ${source}: ${(error as Error).name}`, { cause: error });
  }
  if (text === undefined) throw new ProfileError(source, "the parameter has no value");
  return { profile: parseProfile(text, source), source };
}
