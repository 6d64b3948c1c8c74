import { describe, expect, it } from "vitest";
import { assertSupportedNode, nodeVersionProblem } from "../../infra/node-version.ts";

describe("the Node.js the program needs", () => {
  it.each(["22.6.0", "22.23.3", "23.1.0", "24.0.0"])("runs on %s", (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it.each(["20.19.0", "22.5.1", "18.20.4"])("stops on %s, saying what to install", (version) => {
    expect(() => assertSupportedNode(version)).toThrow(
      new RegExp(
        `needs Node\\.js 22\\.6 or later, and this is ${version.replaceAll(".", "\\.")}: install Node\\.js 22`,
      ),
    );
  });

  it("accepts the Node.js these tests run on", () => {
    expect(nodeVersionProblem()).toBeUndefined();
  });
});
