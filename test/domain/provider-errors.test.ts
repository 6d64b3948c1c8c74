import { describe, expect, it } from "vitest";
import {
  ProviderError,
  ProviderRateLimited,
  ProviderRefused,
  ProviderUnavailable,
} from "../../app/domain/provider-errors.ts";

describe("ProviderError", () => {
  it("carries the provider, its status and the attempts, and forwards the cause", () => {
    const cause = new Error("socket hang up");

    const error = new ProviderError("request failed", { provider: "Acme", status: 400, attempts: 2, cause });

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ProviderError");
    expect(error.message).toBe("request failed");
    expect(error).toMatchObject({ provider: "Acme", status: 400, attempts: 2 });
    expect(error.cause).toBe(cause);
  });

  it("has no cause and no status when none is given", () => {
    const error = new ProviderError("refused before sending", { provider: "Acme", attempts: 0 });

    expect("cause" in error).toBe(false);
    expect(error.status).toBeUndefined();
  });
});

describe("the family", () => {
  it.each([
    ["ProviderUnavailable", new ProviderUnavailable("down", { provider: "Acme", status: 503, attempts: 3 })],
    ["ProviderRefused", new ProviderRefused("bad key", { provider: "Acme", status: 401, attempts: 1 })],
    ["ProviderRateLimited", new ProviderRateLimited("slow down", { provider: "Acme", status: 429, attempts: 1 })],
  ])("%s is a ProviderError named after its class", (name, error) => {
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.name).toBe(name);
  });

  it("keeps its members apart, so a caller can branch on each with instanceof", () => {
    const refused = new ProviderRefused("bad key", { provider: "Acme", attempts: 1 });

    expect(refused).not.toBeInstanceOf(ProviderUnavailable);
    expect(refused).not.toBeInstanceOf(ProviderRateLimited);
  });

  it("ProviderRateLimited carries what the provider said about its limit", () => {
    const error = new ProviderRateLimited("out of credits", {
      provider: "Acme",
      status: 429,
      attempts: 1,
      scope: "day",
      creditsUsed: 801,
      creditsLimit: 800,
      retryAfterMs: 3_600_000,
    });

    expect(error).toMatchObject({ scope: "day", creditsUsed: 801, creditsLimit: 800, retryAfterMs: 3_600_000 });
  });

  it("ProviderRateLimited leaves unknown what the provider did not say", () => {
    const error = new ProviderRateLimited("429", { provider: "Acme", status: 429, attempts: 1 });

    expect(error.scope).toBeUndefined();
    expect(error.creditsUsed).toBeUndefined();
    expect(error.creditsLimit).toBeUndefined();
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("a subclass keeps the fields the base set", () => {
    class AcmeRateLimit extends ProviderRateLimited {
      override name = "AcmeRateLimit";
    }

    const error = new AcmeRateLimit("429", { provider: "Acme", attempts: 1, scope: "minute", retryAfterMs: 60_000 });

    expect(error).toBeInstanceOf(ProviderRateLimited);
    expect(error).toMatchObject({ name: "AcmeRateLimit", scope: "minute", retryAfterMs: 60_000 });
  });
});
