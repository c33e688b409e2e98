// Integrity of the tool-search fixture (test/fixtures/toolsearch/): the 20-server catalog parses,
// and every gold name of the held-out query set names a real `<server>_<tool>` of it.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const DIR = join(import.meta.dir, "..", "fixtures", "toolsearch");
const KINDS = ["keyword", "task", "paraphrase", "ambiguous"] as const;

type Catalog = { server: string; package: string; version: string; tools: { name: string }[] };
type Query = { id: string; query: string; gold: string[]; kind: string; note?: string };

const files = readdirSync(join(DIR, "catalog")).filter((f) => f.endsWith(".json"));
const catalogs = files.map(
  (f) => JSON.parse(readFileSync(join(DIR, "catalog", f), "utf8")) as Catalog,
);
const exposed = new Set(catalogs.flatMap((c) => c.tools.map((t) => `${c.server}_${t.name}`)));
const queries = readFileSync(join(DIR, "queries.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l) as Query);

describe("tool-search catalog fixture", () => {
  test("20 server files parse, each {server, package, version, tools}", () => {
    expect(files.length).toBe(20);
    for (const [i, c] of catalogs.entries()) {
      expect(`${c.server}.json`).toBe(files[i] as string);
      expect(c.server).toMatch(/^[A-Za-z0-9-]+$/);
      expect(typeof c.package).toBe("string");
      expect(typeof c.version).toBe("string");
      expect(c.tools.length).toBeGreaterThan(0);
    }
  });

  test("exposed names are unique and need no shortening", () => {
    const all = catalogs.flatMap((c) => c.tools.map((t) => `${c.server}_${t.name}`));
    expect(exposed.size).toBe(all.length);
    for (const name of all) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  test("queries: at least 120, unique ids and texts, known kinds, all kinds present", () => {
    expect(queries.length).toBeGreaterThanOrEqual(120);
    expect(new Set(queries.map((q) => q.id)).size).toBe(queries.length);
    expect(new Set(queries.map((q) => q.query.trim().toLowerCase())).size).toBe(queries.length);
    for (const q of queries) {
      expect(q.id).toMatch(/^h\d{3}$/);
      expect(q.query.trim().length).toBeGreaterThan(0);
      expect(KINDS as readonly string[]).toContain(q.kind);
    }
    for (const k of KINDS) expect(queries.some((q) => q.kind === k)).toBe(true);
  });

  test("every gold name exists in the catalog", () => {
    const missing = queries.flatMap((q) =>
      q.gold.filter((g) => !exposed.has(g)).map((g) => `${q.id}: ${g}`),
    );
    expect(missing).toEqual([]);
    for (const q of queries) {
      expect(q.gold.length).toBeGreaterThan(0);
      expect(new Set(q.gold).size).toBe(q.gold.length);
    }
  });

  test("every server is the gold of at least 2 queries", () => {
    const serverOf = new Map<string, string>(
      catalogs.flatMap((c) =>
        c.tools.map((t): [string, string] => [`${c.server}_${t.name}`, c.server]),
      ),
    );
    for (const c of catalogs) {
      const n = queries.filter((q) => q.gold.some((g) => serverOf.get(g) === c.server)).length;
      expect({ server: c.server, n: Math.min(n, 2) }).toEqual({ server: c.server, n: 2 });
    }
  });
});
