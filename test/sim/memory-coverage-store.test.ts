import { describe } from "vitest";
import { MemoryCoverageStore } from "../../sim/memory/coverage-store.ts";
import { COVERAGE_NOW, coverageStoreContract } from "../contracts/coverage-store.contract.ts";

describe("MemoryCoverageStore", () => {
  coverageStoreContract(async () => new MemoryCoverageStore({ clock: () => COVERAGE_NOW }));
});
