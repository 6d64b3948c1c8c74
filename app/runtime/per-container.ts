/**
 * A value built once per container (one Lambda execution environment, one process) on first use and shared by
 * every later invocation. A build that fails is forgotten, so the next invocation builds again instead of
 * failing for the rest of the container's life on a transient error (a throttled SSM read, a missing variable
 * fixed by a redeploy reaches a new container anyway).
 */
export function perContainer<T>(create: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  // A create that throws before returning its promise is a failed build like any other.
  const build = async () => create();
  return () => {
    cached ??= build().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
