import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../app/wiring.ts";
import { type Bundle, bundleHandlers } from "../../infra/bundle.ts";

// Every function the stack deploys must bundle from app/handlers and export the handler Lambda calls. Reading
// esbuild's metafile instead of importing the bundles keeps the handlers' import-time work out of this test.
describe("the handler bundles", () => {
  let bundles: Map<string, Bundle>;
  beforeAll(() => {
    bundles = bundleHandlers(Object.values(FUNCTIONS).map((f) => f.entry));
  });

  it.each(Object.entries(FUNCTIONS).map(([name, f]) => [name, f.entry] as const))(
    "bundles %s from %s and exports handler",
    (_name, entry) => {
      expect(bundles.get(entry)?.exports).toContain("handler");
    },
  );
});
