import type { CoverageFigures, CoverageRound, SymbolCoverage } from "./coverage.ts";

/**
 * Where coverage mode keeps each universe's rounds and its symbols' verification states (one DynamoDB partition per
 * universe, `COVERAGE#<universe>`). Items live until `keepUntil` (ms), set longer than the rotation, so coverage
 * survives sessions and redeploys. A failed call throws; nothing here is conditional on another writer but the round.
 */
export interface CoverageStore {
  /**
   * Opens the universe's next round for `sessionId`, with the slice's `budget`, and returns it; if that session
   * opened the latest round already (a retried start), returns that round unchanged, so a round is never counted
   * twice and a retried start keeps the first one's budget.
   */
  openRound(universe: string, sessionId: string, at: string, keepUntil: number, budget: number): Promise<CoverageRound>;
  getRound(universe: string): Promise<CoverageRound | undefined>;
  /** Keeps the figures of `figures.round` on the round item, unless figures of a later round are there already. */
  saveFigures(universe: string, figures: CoverageFigures): Promise<void>;
  /** Every symbol state of the universe (paged internally: a few pages for 20,000 symbols). */
  listStates(universe: string): Promise<SymbolCoverage[]>;
  /** Puts the states (BatchWriteItem, 25 a call), replacing what each symbol had. */
  putStates(universe: string, states: readonly SymbolCoverage[], keepUntil: number): Promise<void>;
  /** Forgets the states of symbols that left the universe (`at`: now, ms): listings no longer return them. */
  removeStates(universe: string, symbols: readonly string[], at: number): Promise<void>;
}
