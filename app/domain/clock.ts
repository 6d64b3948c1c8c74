/** Milliseconds since the epoch. Injected wherever time matters, so the local stack and tests can move it. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
