import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../app/config/config.ts";
import { compactProfile, PROFILE_ENV, ProfileError } from "../../app/config/load-profile.ts";
import { DEFAULT_PROFILE } from "../../app/config/profile.ts";
import { resolveProfile } from "../../app/runtime/profile.ts";

/** An SSM client that answers GetParameter from a map (`name:version` as the key), recording what it was asked. */
function ssmWith(parameters: Record<string, string>): { client: () => SSMClient; asked: string[] } {
  const asked: string[] = [];
  const client = {
    send: async (command: { input: { Name: string } }) => {
      asked.push(command.input.Name);
      const value = parameters[command.input.Name];
      if (value === undefined) throw Object.assign(new Error("not found"), { name: "ParameterNotFound" });
      return { Parameter: { Name: command.input.Name, Value: value } };
    },
  };
  return { client: () => client as unknown as SSMClient, asked };
}

describe("resolveProfile", () => {
  it("reads the profile from the SSM parameter and version infra names, when it was too large for the environment", async () => {
    const ssm = ssmWith({ "/dq/dev/profile:3": '{"adjust":"all","deepCheck":{"lookbackDays":200}}' });

    const loaded = await resolveProfile({ [PROFILE_ENV.parameter]: "/dq/dev/profile:3" }, ssm.client);

    expect(loaded.source).toBe("SSM parameter /dq/dev/profile:3");
    expect(loaded.profile.adjust).toBe("all");
    expect(loaded.profile.deepCheck).toEqual({ weekday: "sunday", lookbackDays: 200 });
    expect(ssm.asked).toEqual(["/dq/dev/profile:3"]);
  });

  it("takes DQ_PROFILE without calling SSM when it is set", async () => {
    const ssm = ssmWith({});

    const loaded = await resolveProfile(
      { [PROFILE_ENV.inline]: '{"adjust":"none"}', [PROFILE_ENV.parameter]: "/dq/dev/profile:1" },
      ssm.client,
    );

    expect([loaded.source, loaded.profile.adjust, ssm.asked]).toEqual([PROFILE_ENV.inline, "none", []]);
  });

  it("falls back to loadProfile's file without either, and never calls SSM", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "dq-profile-")), "profile.yaml");
    writeFileSync(file, "adjust: none\n");
    const ssm = ssmWith({});

    const loaded = await resolveProfile({ [PROFILE_ENV.file]: file }, ssm.client);

    expect([loaded.source, loaded.profile, ssm.asked]).toEqual([file, { ...DEFAULT_PROFILE, adjust: "none" }, []]);
  });

  it("names the parameter when SSM refuses it, and when its profile does not validate", async () => {
    await expect(resolveProfile({ [PROFILE_ENV.parameter]: "/dq/dev/profile:9" }, ssmWith({}).client)).rejects.toThrow(
      new ConfigError("cannot read the profile from SSM parameter /dq/dev/profile:9: ParameterNotFound"),
    );
    const bad = ssmWith({ "/dq/dev/profile:2": '{"tolerances":{"closePct":500}}' });
    const refused = resolveProfile({ [PROFILE_ENV.parameter]: "/dq/dev/profile:2" }, bad.client);
    await expect(refused).rejects.toThrow(ProfileError);
    await expect(refused).rejects.toThrow(/^profile SSM parameter \/dq\/dev\/profile:2: tolerances\.closePct: /);
  });
});

describe("compactProfile", () => {
  it("turns the file's YAML into compact JSON that reads as the same profile", () => {
    const yaml = "# a comment\nadjust: all # another\ntolerances:\n  closePct: 2\ndeepCheck:\n  weekday: sunday\n";

    const { profile, text } = compactProfile(yaml, "dq.config.yaml");

    expect(text).toBe('{"adjust":"all","tolerances":{"closePct":2},"deepCheck":{"weekday":"sunday"}}');
    expect(compactProfile(text, "again").profile).toEqual(profile);
  });

  it("keeps the text as written when its JSON would read differently", () => {
    // JSON has no negative zero: the one value the schema accepts that JSON would change.
    const yaml = "tickSize: -0\n";

    expect(compactProfile(yaml, "dq.config.yaml").text).toBe(yaml);
  });

  it("refuses a bad profile naming the source and the key", () => {
    expect(() => compactProfile("tolerances:\n  closePct: 500\n", "profiles/prod.yaml")).toThrow(
      /^profile profiles\/prod\.yaml: tolerances\.closePct: /,
    );
  });
});
