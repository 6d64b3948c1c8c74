import type { CoverageFigures, CoverageRound, SymbolCoverage } from "../../app/pipeline/coverage.ts";
import type { CoverageStore } from "../../app/pipeline/coverage-store.ts";

interface Universe {
  round?: CoverageRound & { ttl: number };
  states: Map<string, { state: SymbolCoverage; ttl: number }>;
}

/**
 * Coverage in memory, with the DynamoDB store's semantics: a round opened once per session, figures never over a
 * later round's, states replaced whole, items gone once their TTL has passed. Every read returns a copy.
 */
export class MemoryCoverageStore implements CoverageStore {
  readonly #clock: () => number;
  readonly #universes = new Map<string, Universe>();

  constructor(options: { clock: () => number }) {
    this.#clock = options.clock;
  }

  async openRound(
    universe: string,
    sessionId: string,
    at: string,
    keepUntil: number,
    budget: number,
  ): Promise<CoverageRound> {
    const u = this.#universe(universe);
    const current = this.#live(u.round);
    if (current && current.sessionId === sessionId) return copy(current);
    const next = {
      ...(current ?? {}),
      universe,
      round: (current?.round ?? 0) + 1,
      sessionId,
      openedAt: at,
      firstRound: current?.firstRound ?? 1,
      budget,
      ttl: Math.floor(keepUntil / 1000),
    };
    u.round = next;
    return copy(next);
  }

  async getRound(universe: string): Promise<CoverageRound | undefined> {
    const round = this.#live(this.#universe(universe).round);
    return round && copy(round);
  }

  async saveFigures(universe: string, figures: CoverageFigures): Promise<void> {
    const round = this.#live(this.#universe(universe).round);
    if (!round || (round.figures && round.figures.round > figures.round)) return;
    round.figures = structuredClone(figures);
  }

  async listStates(universe: string): Promise<SymbolCoverage[]> {
    const now = this.#clock() / 1000;
    return [...this.#universe(universe).states.values()]
      .filter((entry) => entry.ttl > now)
      .map((entry) => structuredClone(entry.state))
      .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  async putStates(universe: string, states: readonly SymbolCoverage[], keepUntil: number): Promise<void> {
    const u = this.#universe(universe);
    for (const state of states)
      u.states.set(state.symbol, { state: structuredClone(state), ttl: Math.floor(keepUntil / 1000) });
  }

  async removeStates(universe: string, symbols: readonly string[], _at: number): Promise<void> {
    const u = this.#universe(universe);
    for (const symbol of symbols) u.states.delete(symbol);
  }

  #universe(universe: string): Universe {
    let u = this.#universes.get(universe);
    if (!u) {
      u = { states: new Map() };
      this.#universes.set(universe, u);
    }
    return u;
  }

  #live<T extends { ttl: number }>(item: T | undefined): T | undefined {
    return item && item.ttl > this.#clock() / 1000 ? item : undefined;
  }
}

function copy(round: CoverageRound & { ttl?: number }): CoverageRound {
  const { ttl: _ttl, ...rest } = structuredClone(round);
  return rest;
}
