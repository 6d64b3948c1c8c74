import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The layout table of docs/architecture.md is the rule book: each row names a folder and what its code may import.
 * This test reads that table, so the documentation and the code cannot drift apart.
 */
const ROOT = normalize(join(import.meta.dirname, "..", ".."));
const CHECKED_TOP_LEVEL = ["app", "infra", "local", "bench"];
/** The one place product code may reach the local stack: a lazy import, so dev tooling never loads in Lambda. */
const LAZY_LOCAL_IMPORTER = "app/cli/local-commands.ts";

interface Import {
  from: string;
  to: string;
  dynamic: boolean;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (name === "node_modules" || name === "results") continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...listTs(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Every relative import of a file, `import type` and `typeof import()` included, resolved to a repo path. */
function importsOf(file: string, text = readFileSync(join(ROOT, file), "utf8")): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: string, dynamic: boolean) => {
    if (!specifier.startsWith(".")) return;
    found.push({ from: file, to: normalize(join(dirname(file), specifier)), dynamic });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) add(arg.text, true);
    } else if (ts.isImportTypeNode(node)) {
      const literal = ts.isLiteralTypeNode(node.argument) ? node.argument.literal : undefined;
      // `typeof import()` is the type of a dynamic import: it loads nothing, and is checked like one.
      if (literal && ts.isStringLiteral(literal)) add(literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `app/<folder>` for product code, `app/wiring.ts` for the wiring module, else the top-level folder. */
function areaOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] === "app") return parts.length > 2 ? `app/${parts[1]}` : path;
  return parts[0] ?? path;
}

interface Rule {
  area: string;
  allowed: Set<string> | "anything";
}

function readLayoutTable(): Rule[] {
  const doc = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Code layout"), doc.indexOf("\n## ", doc.indexOf("## Code layout") + 3));
  const rows = section.split("\n").filter((line) => /^\| `[^`]+`/.test(line));
  const appAreas = rows.map((r) => /^\| `([^`]+)`/.exec(r)?.[1] ?? "").filter((a) => a.startsWith("app/"));
  return rows.map((row) => {
    const cells = row.split("|").map((c) => c.trim());
    const area = /`([^`]+)`/.exec(cells[1] ?? "")?.[1] ?? "";
    const mayImport = cells[3] ?? "";
    if (mayImport === "anything" || mayImport === "—") return { area, allowed: "anything" };
    // Only the part before ";" lists static imports; what follows describes the lazy exception.
    const staticPart = mayImport.split(";")[0] ?? "";
    const allowed = new Set<string>([area]);
    if (staticPart.includes("every `app/` folder")) for (const a of appAreas) allowed.add(a);
    for (const m of staticPart.matchAll(/`([^`]+)`/g)) if (m[1] !== "app/") allowed.add(m[1] as string);
    return { area, allowed };
  });
}

const files = CHECKED_TOP_LEVEL.flatMap((dir) => listTs(dir));
const imports = files.flatMap((file) => importsOf(file));
const rules = new Map(readLayoutTable().map((r) => [r.area, r]));

describe("import rules (docs/architecture.md, Code layout)", () => {
  it("lists every top-level folder and every folder of app/", () => {
    // Folders with tracked files only: build output (dist/) and installs are not part of the layout.
    const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n");
    const topLevel = [...new Set(tracked.filter((f) => f.includes("/")).map((f) => f.split("/")[0] as string))].filter(
      (name) => !name.startsWith("."),
    );
    const appFolders = readdirSync(join(ROOT, "app"))
      .filter((name) => statSync(join(ROOT, "app", name)).isDirectory())
      .map((name) => `app/${name}`);
    const listed = [...rules.keys()];
    const unlisted = [...topLevel.filter((t) => t !== "app"), ...appFolders, "app/wiring.ts"].filter(
      (a) => !listed.includes(a),
    );
    expect(unlisted, "folders missing from the layout table").toEqual([]);
  });

  it("every import goes where the layout table allows", () => {
    const broken = imports
      .filter((i) => !(i.dynamic && i.from === LAZY_LOCAL_IMPORTER && areaOf(i.to) === "local"))
      .filter((i) => {
        const rule = rules.get(areaOf(i.from));
        if (!rule) return true;
        return rule.allowed !== "anything" && !rule.allowed.has(areaOf(i.to));
      })
      .map((i) => `${i.from} -> ${i.to}`);
    expect(broken).toEqual([]);
  });

  it("product code reaches the local stack only lazily, from the CLI's local commands", () => {
    const intoLocal = imports.filter((i) => i.from.startsWith("app/") && areaOf(i.to) === "local");
    expect(intoLocal.filter((i) => !i.dynamic || i.from !== LAZY_LOCAL_IMPORTER)).toEqual([]);
  });

  it("has no import cycle in app/, infra/ or local/ (type imports count)", () => {
    const graph = new Map<string, string[]>();
    for (const i of imports) {
      if (!/^(app|infra|local)\//.test(i.from)) continue;
      graph.set(i.from, [...(graph.get(i.from) ?? []), i.to]);
    }
    expect(findCycles(graph).map((c) => c.join(" -> "))).toEqual([]);
  });
});

describe("the cycle finder", () => {
  it("finds a cycle through a type import and none in a tree", () => {
    const cyclic = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycles(cyclic)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(findCycles(new Map([["a.ts", ["b.ts", "c.ts"]]]))).toEqual([]);
  });

  it("sees import type, export from, dynamic import and typeof import() as dependencies", () => {
    const text = [
      'import type { A } from "./a.ts";',
      'export { B } from "../b.ts";',
      'import { x } from "node:fs";',
      'type C = typeof import("./c.ts");',
      'const d = await import("./d.ts");',
    ].join("\n");
    expect(importsOf("app/x/file.ts", text)).toEqual([
      { from: "app/x/file.ts", to: "app/x/a.ts", dynamic: false },
      { from: "app/x/file.ts", to: "app/b.ts", dynamic: false },
      { from: "app/x/file.ts", to: "app/x/c.ts", dynamic: true },
      { from: "app/x/file.ts", to: "app/x/d.ts", dynamic: true },
    ]);
  });
});

/** Strongly connected components of more than one file (or a file importing itself), by Tarjan's algorithm. */
function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const strongConnect = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) strongConnect(v);
  return cycles;
}
