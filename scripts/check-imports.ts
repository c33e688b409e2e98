// Keeps the house as ARCHITECTURE.md draws it: no import cycle among the files of src/ (type-only
// and dynamic imports count), and no import from a lower layer to a higher one.
// Usage: bun scripts/check-imports.ts   (exit 1 with one line per problem; CI runs it)
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Highest first. A file belongs to the first layer with a matching path ("dir/" is a folder and
 * everything below it, "*.ts" the files directly in src/) and may import files of its own layer
 * or of lower ones. A file of no layer is an error: a new folder must be placed here.
 */
export const LAYERS: ReadonlyArray<{ layer: string; paths: readonly string[] }> = [
  { layer: "cli", paths: ["src/main.ts", "src/index.ts", "src/cli/"] },
  { layer: "gateway", paths: ["src/gateway.ts", "src/list-report.ts", "src/reload/"] },
  { layer: "front", paths: ["src/front/"] },
  { layer: "router", paths: ["src/router/"] },
  { layer: "backend", paths: ["src/backend/"] },
  { layer: "oauth", paths: ["src/oauth/"] },
  // Tool search's index, ranking and token counts: a library the router uses, knowing no layer.
  { layer: "search", paths: ["src/search/"] },
  { layer: "leaves", paths: ["src/config/", "src/era/", "src/observe/", "src/*.ts"] },
];

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The layer's rank (0 = lowest), or undefined when no layer holds the file. */
export function rankOf(file: string): number | undefined {
  for (const [i, { paths }] of LAYERS.entries())
    for (const p of paths) {
      const hit = p.endsWith("/")
        ? file.startsWith(p)
        : p === "src/*.ts"
          ? /^src\/[^/]+\.ts$/.test(file)
          : file === p;
      if (hit) return LAYERS.length - 1 - i;
    }
  return undefined;
}

/** The source with comments blanked out, strings and template literals kept. */
export function stripComments(src: string): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
      out += " ";
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === "\\" ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const SPECIFIERS = [
  /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
];

/** Relative imports of a file (every kind: value, type-only, re-export, dynamic), as src paths. */
export function importsOf(file: string, text: string): string[] {
  const code = stripComments(text);
  const out = new Set<string>();
  for (const re of SPECIFIERS)
    for (const m of code.matchAll(re)) {
      const spec = m[1] ?? "";
      if (!spec.startsWith(".")) continue;
      out.add(relative(ROOT, resolve(ROOT, dirname(file), spec)));
    }
  return [...out];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every cycle, as the files of each strongly connected component of more than one file (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

export function check(): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles("src"))
    graph.set(file, importsOf(file, readFileSync(join(ROOT, file), "utf8")));
  for (const [file, deps] of graph) {
    const rank = rankOf(file);
    if (rank === undefined) {
      problems.push(`${file}: in no layer; place its folder in LAYERS (scripts/check-imports.ts)`);
      continue;
    }
    for (const dep of deps) {
      const to = rankOf(dep);
      if (to !== undefined && to > rank)
        problems.push(
          `${file} imports ${dep}: upward, from layer ${LAYERS[LAYERS.length - 1 - rank]?.layer} to ${LAYERS[LAYERS.length - 1 - to]?.layer}`,
        );
    }
  }
  for (const c of cycles(graph)) problems.push(`import cycle: ${c.join(" -> ")}`);
  return problems;
}

if (import.meta.main) {
  const problems = check();
  for (const p of problems) console.error(p);
  console.log(
    problems.length === 0
      ? `imports: no cycle, no upward import (${LAYERS.map((l) => l.layer).join(" > ")})`
      : `imports: ${problems.length} problem(s)`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}
