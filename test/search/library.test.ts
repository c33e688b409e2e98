// src/search on its own: words from identifiers, the bundled WordNet table, and ranking over the
// 20-server catalog. Token counts are in tokens.test.ts.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { exposedName } from "../../src/names.ts";
import type { Def } from "../../src/protocol.ts";
import type { ToolEntry } from "../../src/search/doc.ts";
import { firstSentence, toDoc } from "../../src/search/doc.ts";
import { terms, words } from "../../src/search/text.ts";
import { ToolIndex } from "../../src/search/tool-index.ts";
import { wordnet } from "../../src/search/wordnet.ts";
import { catalogPaths } from "./harness.ts";

const catalogs = [...catalogPaths()].map(([server, path]) => ({
  server,
  tools: (JSON.parse(readFileSync(path, "utf8")) as { tools: Def[] }).tools,
}));
const entries: ToolEntry[] = catalogs.flatMap((c) =>
  c.tools.map((t) => ({
    ...t,
    name: exposedName(c.server, t.name),
    original: t.name,
    server: c.server,
  })),
);

describe("text", () => {
  test("identifiers split on snake, kebab and camel case, acronyms kept whole", () => {
    expect(words("read_file")).toEqual(["read", "file"]);
    expect(words("get-resource-links")).toEqual(["get", "resource", "links"]);
    expect(words("getHTTPResponseCode")).toEqual(["get", "http", "response", "code"]);
    // A short camel-case word is also kept whole: it is likely a brand ("GitHub", "arXiv").
    expect(words("GitHub readFile")).toEqual(["github", "git", "hub", "readfile", "read", "file"]);
    expect(words("sequentialthinking")).toEqual(["sequentialthinking"]);
  });

  test("terms drop stop words and stem, numbers stay as written", () => {
    expect(terms("Creates the repositories for a user")).toEqual(["creat", "repositori", "user"]);
    expect(terms("arXiv 2310.06825")).toEqual(["arxiv", "ar", "xiv", "2310", "06825"]);
  });

  test("a document reads the description's first sentence and every parameter", () => {
    const doc = toDoc({
      name: "fs_move_file",
      original: "move_file",
      description: "Move a file. Fails if the target exists.",
      inputSchema: {
        type: "object",
        properties: {
          source: { type: "string", description: "Where from" },
          opts: { type: "object", properties: { overwrite: { type: "boolean" } } },
        },
      },
      server: "fs",
    });
    expect(doc.name).toBe("move_file");
    expect(doc.summary).toBe("Move a file.");
    expect(doc.params).toBe("source Where from opts overwrite");
    expect(firstSentence("One line\nsecond")).toBe("One line");
  });
});

describe("WordNet table", () => {
  test("is bundled and relates everyday words", () => {
    const erase = wordnet().get("erase");
    expect(erase?.synonyms).toContain("delete");
    expect(wordnet().get("transfer")?.related).toContain("convey");
    expect(wordnet().get("no-such-word")).toBeUndefined();
  });
});

describe("ranking over the 20-server catalog", () => {
  const index = new ToolIndex(entries, wordnet());

  test("holds every tool", () => {
    expect(index.size).toBe(entries.length);
    expect(index.size).toBeGreaterThan(200);
  });

  test("keyword queries find their tool first", () => {
    const top = (q: string) => index.search(q, 5).hits[0]?.name;
    expect(top("create github issue")).toBe("github_create_issue");
    expect(top("redis set key value")).toBe("redis_set");
    expect(top("move file")).toBe("filesystem_move_file");
  });

  test("a word the query only implies counts (WordNet, prefixes)", () => {
    const names = (q: string) => index.search(q, 5).hits.map((h) => h.name);
    expect(names("erase the relations between two entities")).toContain("memory_delete_relations");
    expect(names("github new repo")).toContain("github_create_repository");
  });

  test("limit, total and the visible filter", () => {
    const all = index.search("file", 3);
    expect(all.hits.length).toBe(3);
    expect(all.total).toBeGreaterThan(3);
    const only = index.search("file", 20, (n) => n.startsWith("github_"));
    expect(only.hits.every((h) => h.name.startsWith("github_"))).toBe(true);
    expect(index.search("the of and", 5).hits).toEqual([]);
  });
});

describe("fusion with semantic scores", () => {
  const index = new ToolIndex(entries, wordnet());
  const at = (name: string) => index.names.indexOf(name);

  test("weight 0 is the lexical ranking; weight 1 the similarity alone", () => {
    const similarity = new Float64Array(index.size);
    similarity[at("memory_read_graph")] = 1;
    const lexical = index.search("create github issue", 3);
    expect(index.search("create github issue", 3, undefined, { similarity, weight: 0 })).toEqual(
      lexical,
    );
    const fused = index.search("create github issue", 3, undefined, { similarity, weight: 1 });
    expect(fused.hits[0]?.name).toBe("memory_read_graph");
  });

  test("half and half: a tool strong on both beats one strong on either", () => {
    const similarity = new Float64Array(index.size);
    similarity[at("github_create_issue")] = 0.8;
    similarity[at("memory_read_graph")] = 1;
    const fused = index.search("create github issue", 3, undefined, { similarity, weight: 0.5 });
    expect(fused.hits.map((h) => h.name).slice(0, 2)).toEqual([
      "github_create_issue",
      "memory_read_graph",
    ]);
  });
});
