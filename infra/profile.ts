import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { compactProfile, PROFILE_FILE, ProfileError } from "../app/config/load-profile.ts";
import { DEFAULT_PROFILE, type Profile } from "../app/config/profile.ts";

/** The stack's datalake profile, validated at deploy time, as the functions receive it. */
export interface StackProfile {
  /** The file it came from, as `dq:profile` names it (relative to the project), or `defaults`. */
  source: string;
  profile: Profile;
  /** What the functions read: the profile as compact JSON (`{}` for the defaults). */
  text: string;
}

/** An SSM parameter of the Standard tier holds 4 KB; the Advanced tier 8 KB (and costs a little). */
export const PROFILE_PARAMETER_BYTES = { standard: 4096, advanced: 8192 } as const;

/**
 * Reads and validates the profile `setting` names, relative to `projectDir`: with no setting, dq.config.yaml
 * when the project has one, else the defaults (`{}`, so a function never looks for a file of its own). Throws
 * ProfileError naming the file and the first bad key, or a profile too large for any SSM parameter.
 */
export function readStackProfile(setting: string, projectDir: string): StackProfile {
  const source = setting === "" ? PROFILE_FILE : setting;
  const path = resolve(projectDir, source);
  if (setting === "" && !existsSync(path)) return { source: "defaults", profile: DEFAULT_PROFILE, text: "{}" };
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (error) {
    throw new ProfileError(source, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`, {
      cause: error,
    });
  }
  const { profile, text } = compactProfile(raw, source);
  const bytes = Buffer.byteLength(text);
  if (bytes > PROFILE_PARAMETER_BYTES.advanced) {
    throw new ProfileError(
      source,
      `${bytes} bytes as the functions receive it, above the ${PROFILE_PARAMETER_BYTES.advanced} an SSM parameter holds: shorten it`,
    );
  }
  return { source, profile, text };
}

/** The free Standard tier when the profile fits its 4 KB, else the Advanced tier's 8 KB. */
export function parameterTier(text: string): "Standard" | "Advanced" {
  return Buffer.byteLength(text) <= PROFILE_PARAMETER_BYTES.standard ? "Standard" : "Advanced";
}

export interface DqProfileParameterArgs {
  /** The SSM parameter's name, e.g. /dq/dev/profile. */
  name: string;
  profile: StackProfile;
}

/**
 * The profile in an SSM String parameter, for a profile the functions' 4 KB environment cannot hold. The functions
 * get `name:version` (see `selector`): a changed profile is a new version and so a changed environment, which
 * replaces the functions' warm containers, and each reads exactly the version its deploy wrote.
 */
export class DqProfileParameter extends pulumi.ComponentResource {
  readonly parameter: aws.ssm.Parameter;
  /** What DQ_PROFILE_PARAMETER holds: `<name>:<version>`. */
  readonly selector: pulumi.Output<string>;

  constructor(name: string, args: DqProfileParameterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dq:infra:ProfileParameter", name, {}, opts);
    this.parameter = new aws.ssm.Parameter(
      name,
      {
        name: args.name,
        type: "String",
        tier: parameterTier(args.profile.text),
        // Not a secret: shown in previews, so an operator sees what a change of the profile changes.
        insecureValue: args.profile.text,
        description: `dq datalake profile (from ${args.profile.source})`,
      },
      // AWS cannot turn an Advanced parameter back into a Standard one: it is replaced, and the name is its own.
      { parent: this, deleteBeforeReplace: true },
    );
    this.selector = pulumi.interpolate`${this.parameter.name}:${this.parameter.version}`;
    this.registerOutputs({ selector: this.selector });
  }
}
