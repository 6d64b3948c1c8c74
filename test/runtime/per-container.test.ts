import { describe, expect, it } from "vitest";
import { perContainer } from "../../app/runtime/per-container.ts";

/** A create function that counts its calls and fails the calls listed in `failing` (1-based). */
function counting(failing: number[] = []) {
  let calls = 0;
  const create = async () => {
    calls++;
    if (failing.includes(calls)) throw new Error(`build ${calls} failed`);
    return { build: calls };
  };
  return { create, calls: () => calls };
}

describe("perContainer", () => {
  it("builds nothing until first asked", () => {
    const { create, calls } = counting();

    perContainer(create);

    expect(calls()).toBe(0);
  });

  it("builds once and gives every later call the same value", async () => {
    const { create, calls } = counting();
    const get = perContainer(create);

    const first = await get();
    const second = await get();

    expect(second).toBe(first);
    expect(calls()).toBe(1);
  });

  it("builds once for concurrent first calls", async () => {
    const { create, calls } = counting();
    const get = perContainer(create);

    const [a, b] = await Promise.all([get(), get()]);

    expect(a).toBe(b);
    expect(calls()).toBe(1);
  });

  it("forgets a failed build, so the next call builds again and keeps that value", async () => {
    const { create, calls } = counting([1]);
    const get = perContainer(create);

    await expect(get()).rejects.toThrow("build 1 failed");
    const value = await get();
    const again = await get();

    expect(value).toEqual({ build: 2 });
    expect(again).toBe(value);
    expect(calls()).toBe(2);
  });

  it("gives every caller waiting on a failed build its error", async () => {
    const { create } = counting([1]);
    const get = perContainer(create);

    const results = await Promise.allSettled([get(), get()]);

    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("treats a create that throws before returning a promise as a failed build", async () => {
    let calls = 0;
    const get = perContainer((): Promise<string> => {
      calls++;
      if (calls === 1) throw new Error("synchronous failure");
      return Promise.resolve("built");
    });

    await expect(get()).rejects.toThrow("synchronous failure");
    await expect(get()).resolves.toBe("built");
  });

  it("keeps one value per helper", async () => {
    const getA = perContainer(async () => ({ name: "a" }));
    const getB = perContainer(async () => ({ name: "b" }));

    expect(await getA()).toEqual({ name: "a" });
    expect(await getB()).toEqual({ name: "b" });
  });
});
