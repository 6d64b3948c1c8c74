import { describe, expect, it } from "vitest";
import { BackgroundInvoker } from "../../../local/aws/background-invoker.ts";
import { UnknownFunctionError } from "../../../local/aws/errors.ts";

/** The invoker stamps its records with this clock, never with the real date. */
const clock = () => Date.parse("2026-01-16T04:30:00Z");

describe("BackgroundInvoker", () => {
  it("gives up after the retries and reports the failure once", async () => {
    const failures: unknown[] = [];
    const invoker = new BackgroundInvoker({
      clock,
      functions: {
        notifier: async () => {
          throw new Error("always");
        },
      },
      retryAttempts: 2,
      retryDelayMs: 1,
      onFailure: (record) => failures.push(record.error),
    });

    const record = invoker.invoke("notifier", {}, "test");
    await invoker.idle();

    expect(record).toMatchObject({ status: "failed", attempts: 3, startedAt: clock(), finishedAt: clock() });
    expect(failures).toHaveLength(1);
  });

  it("fails an unregistered function without an attempt", async () => {
    const invoker = new BackgroundInvoker({ functions: {}, clock });

    const record = invoker.invoke("processor", {}, "test");
    await invoker.idle();

    expect(record.attempts).toBe(0);
    expect(record.error).toBeInstanceOf(UnknownFunctionError);
  });

  it("does not retry a synchronous invocation", async () => {
    let calls = 0;
    const invoker = new BackgroundInvoker({
      clock,
      functions: {
        coordinator: async () => {
          calls++;
          throw new Error("once");
        },
      },
    });

    const record = await invoker.invokeNow("coordinator", {}, "test");

    expect(record.status).toBe("failed");
    expect(calls).toBe(1);
  });
});
