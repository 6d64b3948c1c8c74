/**
 * Runs the calls at once where racing conditional writes to one item are serialized, as DynamoDB guarantees, and
 * one after the other where they are not (moto_server checks a condition and writes without a lock).
 */
export function raceOrSerial(serializesRaces: boolean | undefined) {
  return <T>(calls: (() => Promise<T>)[]): Promise<T[]> =>
    serializesRaces === false
      ? calls.reduce<Promise<T[]>>(async (done, call) => [...(await done), await call()], Promise.resolve([]))
      : Promise.all(calls.map((call) => call()));
}
