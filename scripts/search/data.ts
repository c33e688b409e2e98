// The tool search evaluation's inputs: real servers' tool definitions and labelled queries.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Def } from "../../src/protocol.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The shared catalog (14 servers) and its 42 dev queries. */
export const SHARED = join(ROOT, "..", "..", "shared", "toolsearch");
/** The project's own: more servers, the development set, and held-out queries never tuned on. */
export const FIXTURES = join(ROOT, "test", "fixtures", "toolsearch");

export interface CatalogFile {
  server: string;
  package?: string;
  version?: string;
  tools: Def[];
  path: string;
}

export interface Query {
  id: string;
  query: string;
  gold: string[];
  kind: string;
}

function sharedDir(): string {
  for (const d of [process.env.TOOLSEARCH_SHARED, SHARED, "/work/shared/toolsearch"])
    if (d && existsSync(join(d, "catalog"))) return d;
  throw new Error(`no shared tool search catalog (set TOOLSEARCH_SHARED); looked in ${SHARED}`);
}

/** Catalog files by server name: the shared ones, then the project's (which win on a clash). */
export function catalogFiles(): CatalogFile[] {
  const byServer = new Map<string, CatalogFile>();
  for (const dir of [join(sharedDir(), "catalog"), join(FIXTURES, "catalog")]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith(".json")) continue;
      const path = join(dir, f);
      const c = JSON.parse(readFileSync(path, "utf8")) as Omit<CatalogFile, "path">;
      byServer.set(c.server, { ...c, path });
    }
  }
  return [...byServer.values()];
}

function readQueries(path: string): Query[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Query);
}

/** The project's development set (305: the shared 42 and 263 more); the shared 42 if it is absent. */
export function devQueries(): Query[] {
  const own = join(FIXTURES, "dev-queries.jsonl");
  return readQueries(existsSync(own) ? own : join(sharedDir(), "dev-queries.jsonl"));
}
/** Read only to score; nothing in src/search is tuned on these. */
export const heldOutQueries = (): Query[] => readQueries(join(FIXTURES, "queries.jsonl"));
