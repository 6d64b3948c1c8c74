import { describe, expect, it } from "vitest";
import { functionNameOf, localFunctionArn } from "../../../local/aws/functions.ts";

describe("functionNameOf", () => {
  it.each([
    ["processor", "processor"],
    ["dq-local-processor", "processor"],
    ["dq-prod-deadLetter", "deadLetter"],
    ["arn:aws:lambda:us-east-1:000000000000:function:dq-local-notifier", "notifier"],
    ["arn:aws:lambda:us-east-1:000000000000:function:dq-local-notifier:$LATEST", "notifier"],
    ["000000000000:function:dq-dev-slack", "slack"],
  ])("reads %s as %s", (identifier, expected) => {
    expect(functionNameOf(identifier)).toBe(expected);
  });

  it("knows no other function", () => {
    expect(functionNameOf("dq-local-unknown")).toBeUndefined();
    expect(functionNameOf("someone-elses-processor")).toBeUndefined();
  });

  it("holds a physical name to its stack when a stack is given", () => {
    expect(functionNameOf("dq-prod-processor", "local")).toBeUndefined();
    expect(functionNameOf("dq-local-processor", "local")).toBe("processor");
  });

  it("round-trips the ARN it builds", () => {
    expect(functionNameOf(localFunctionArn("coordinator", "demo"), "demo")).toBe("coordinator");
  });
});
