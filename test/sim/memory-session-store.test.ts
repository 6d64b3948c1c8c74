import { describe } from "vitest";
import { MemorySessionStore } from "../../sim/memory/session-store.ts";
import { NOW, sessionStoreContract } from "../contracts/session-store.contract.ts";

describe("MemorySessionStore (the simulation's table)", () => {
  describe("the SessionStore contract", () => {
    sessionStoreContract(async () => new MemorySessionStore({ clock: () => NOW }));
  });
});
