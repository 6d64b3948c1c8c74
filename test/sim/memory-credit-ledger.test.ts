import { describe } from "vitest";
import { MemoryCreditLedger } from "../../sim/memory/credit-ledger.ts";
import { creditLedgerContract } from "../contracts/credit-ledger.contract.ts";

describe("MemoryCreditLedger (the simulation's ledger): the CreditLedger contract", () => {
  creditLedgerContract(async (options) => {
    const ledger = new MemoryCreditLedger(options);
    return () => ledger;
  });
});
