import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two files at a time on the 2-core CI machine: most of the suite waits (credit windows, emulators on loopback)
    // rather than computes, and vitest's default here is one worker. The whole suite: 750 s with one, 396 s with
    // two (all 1,360 tests passed, on a machine another engineer was loading at the same time).
    maxWorkers: 2,
  },
});
