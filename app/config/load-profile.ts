import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "./config.ts";
import { type Profile, ProfileSchema } from "./profile.ts";

/** The profile's file name, looked for in the working directory (the repository's root for the CLI and local stack). */
export const PROFILE_FILE = "dq.config.yaml";

/**
 * Environment variables: the profile itself (YAML or JSON: how a deployed function gets it), the SSM parameter
 * that holds it when it is too large for the function's 4 KB environment (`name:version`, read by
 * app/runtime/profile.ts), or a file's path.
 */
export const PROFILE_ENV = {
  inline: "DQ_PROFILE",
  parameter: "DQ_PROFILE_PARAMETER",
  file: "DQ_PROFILE_FILE",
} as const;

/** The profile cannot be read or does not validate. The message names the source and the first bad key. */
export class ProfileError extends ConfigError {
  override name = "ProfileError";
  readonly source: string;
  constructor(source: string, reason: string, options?: ErrorOptions) {
    super(`profile ${source}: ${reason}`, options);
    this.source = source;
  }
}

export interface LoadedProfile {
  profile: Profile;
  /** Where it came from: `DQ_PROFILE`, a file path, or `defaults`. */
  source: string;
}

/** Parses and validates profile text (YAML; JSON is YAML too). Throws ProfileError. */
export function parseProfile(text: string, source: string): Profile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ProfileError(source, `not valid YAML: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  const parsed = ProfileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join(".")}: ` : "";
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : "";
    throw new ProfileError(source, `${where}${first?.message ?? z.prettifyError(parsed.error)}${more}`);
  }
  return parsed.data;
}

/**
 * The profile's text as a deployed function receives it: validated, and as compact JSON (no comments, no
 * indentation: a fraction of the file, for Lambda's 4 KB environment). When JSON cannot say what the YAML says
 * (`.inf`, say), the text as written. Throws ProfileError naming `source` and the first bad key.
 */
export function compactProfile(text: string, source: string): { profile: Profile; text: string } {
  const profile = parseProfile(text, source);
  try {
    const compact = JSON.stringify(parseYaml(text) ?? {});
    if (isDeepStrictEqual(parseProfile(compact, source), profile)) return { profile, text: compact };
  } catch {
    // Not representable as JSON: the original text, which validated above.
  }
  return { profile, text };
}

/** Reads and validates a profile file. Throws ProfileError. */
export function readProfileFile(path: string): Profile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ProfileError(path, `cannot read: ${(error as Error).message}`, { cause: error });
  }
  return parseProfile(text, path);
}

/**
 * The profile in force: `DQ_PROFILE` (the text itself: a deployed function's way), else the file `DQ_PROFILE_FILE`
 * names, else `dq.config.yaml` in `cwd` when there is one, else the defaults.
 */
export function loadProfile(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): LoadedProfile {
  const inline = env[PROFILE_ENV.inline];
  if (inline !== undefined && inline.trim() !== "")
    return { profile: parseProfile(inline, PROFILE_ENV.inline), source: PROFILE_ENV.inline };
  const file = env[PROFILE_ENV.file];
  if (file !== undefined && file !== "") return { profile: readProfileFile(file), source: file };
  const local = join(cwd, PROFILE_FILE);
  if (existsSync(local)) return { profile: readProfileFile(local), source: local };
  return { profile: ProfileSchema.parse({}), source: "defaults" };
}
