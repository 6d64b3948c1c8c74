/**
 * The Node.js the Pulumi program needs: 22.6 or later, which runs TypeScript by stripping its types
 * (Pulumi.yaml passes --experimental-strip-types), the same major version as the functions' nodejs22.x runtime.
 */
export const REQUIRED_NODE = { major: 22, minor: 6 } as const;

/** Why this Node.js cannot run the program, or undefined when it can. */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > REQUIRED_NODE.major || (major === REQUIRED_NODE.major && minor >= REQUIRED_NODE.minor)) return undefined;
  return (
    `dq's Pulumi program needs Node.js ${REQUIRED_NODE.major}.${REQUIRED_NODE.minor} or later, and this is ${version}: ` +
    "install Node.js 22 (docs/deploy.md, step 1) and run pulumi again"
  );
}

/** Stops the program at once, before any resource, on a Node.js that cannot run it. */
export function assertSupportedNode(version?: string): void {
  const problem = nodeVersionProblem(version);
  if (problem) throw new Error(problem);
}
