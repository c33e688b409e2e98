// Integrity of the tool-search fixture (test/fixtures/toolsearch/): the 20-server catalog parses,
// and every gold name of the held-out and the development query sets names a real
// `<server>_<tool>` of it.
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
const readQueries = (file: string): Query[] =>
  readFileSync(join(DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Query);
const queries = readQueries("queries.jsonl");
const devQueries = readQueries("dev-queries.jsonl");
const serverOf = new Map<string, string>(
  catalogs.flatMap((c) =>
    c.tools.map((t): [string, string] => [`${c.server}_${t.name}`, c.server]),
  ),
);
const norm = (text: string) => text.trim().toLowerCase();

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
    for (const c of catalogs) {
      const n = queries.filter((q) => q.gold.some((g) => serverOf.get(g) === c.server)).length;
      expect({ server: c.server, n: Math.min(n, 2) }).toEqual({ server: c.server, n: 2 });
    }
  });
});

describe("tool-search development query set (dev-queries.jsonl)", () => {
  test("parses: at least 200 queries, each {id, query, gold, kind} with a known kind", () => {
    expect(devQueries.length).toBeGreaterThanOrEqual(200);
    for (const q of devQueries) {
      expect(q.id).toMatch(/^[de]\d{3}$/);
      expect(typeof q.query).toBe("string");
      expect(q.query.trim().length).toBeGreaterThan(0);
      expect(Array.isArray(q.gold)).toBe(true);
      expect(KINDS as readonly string[]).toContain(q.kind);
      if (q.note !== undefined) expect(typeof q.note).toBe("string");
    }
  });

  test("ids and query texts are unique", () => {
    expect(new Set(devQueries.map((q) => q.id)).size).toBe(devQueries.length);
    expect(new Set(devQueries.map((q) => norm(q.query))).size).toBe(devQueries.length);
  });

  test("every kind is present", () => {
    for (const k of KINDS) expect(devQueries.some((q) => q.kind === k)).toBe(true);
  });

  test("every gold name exists in the catalog, no gold list empty or repeated", () => {
    const missing = devQueries.flatMap((q) =>
      q.gold.filter((g) => !exposed.has(g)).map((g) => `${q.id}: ${g}`),
    );
    expect(missing).toEqual([]);
    for (const q of devQueries) {
      expect(q.gold.length).toBeGreaterThan(0);
      expect(new Set(q.gold).size).toBe(q.gold.length);
    }
  });

  test("every server is the gold of at least 3 development queries", () => {
    for (const c of catalogs) {
      const n = devQueries.filter((q) => q.gold.some((g) => serverOf.get(g) === c.server)).length;
      expect({ server: c.server, n: Math.min(n, 3) }).toEqual({ server: c.server, n: 3 });
    }
  });

  test("shares no query text with the held-out set", () => {
    const heldOut = new Set(queries.map((q) => norm(q.query)));
    expect(devQueries.filter((q) => heldOut.has(norm(q.query))).map((q) => q.id)).toEqual([]);
  });
});
