import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

describe("docs/slack-app-manifest.yaml", () => {
  const manifest = parse(readFileSync(new URL("../../docs/slack-app-manifest.yaml", import.meta.url), "utf8"));

  it("sends the slash command and the buttons' actions to the one request URL the function verifies", () => {
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: "/dq", url: "REQUEST_URL" })]);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: "REQUEST_URL" });
  });

  it("asks for the scopes dq uses and no more", () => {
    expect(manifest.oauth_config.scopes.bot).toEqual(["commands", "chat:write", "chat:write.public", "files:write"]);
  });
});
