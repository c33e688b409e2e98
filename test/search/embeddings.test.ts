// tool_search.embeddings against an OpenAI-compatible server of ours on 127.0.0.1 (a toy model):
// tools embedded once per catalog and cached on disk, the query per search, the similarities
// fused with the lexical ranking, the key sent and never logged, and a failing endpoint that
// leaves the lexical ranking.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type EmbeddingsServer, startEmbeddingsServer } from "../fixtures/embeddings-server.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { foundNames, type Gateway, startGateway, warmCache } from "./harness.ts";

const SERVERS = ["memory", "github", "slack", "redis"];
/** The four servers' tools and gateway_status (the search tools themselves are not indexed). */
const TOOLS = 9 + 26 + 8 + 4 + 1;
const KEY = "sk-toy-embeddings-key";
const PARAPHRASE = "jot down that Alice prefers tea";
let server: EmbeddingsServer;
let dir: TempDir;
const open: Gateway[] = [];

const gateway = async (embeddings: Record<string, unknown> | undefined, at = dir) => {
  const gw = await startGateway({
    servers: SERVERS,
    dir: at,
    toolSearch: { mode: "on", ...(embeddings ? { embeddings } : {}) },
  });
  open.push(gw);
  return gw;
};
const search = async (gw: Gateway, query: string) =>
  foundNames(await gw.call("gateway_search_tools", { query, limit: 5 }));

beforeAll(async () => {
  server = startEmbeddingsServer();
  dir = tempDir("search-embeddings-");
  await warmCache({ servers: SERVERS }, dir);
});

afterAll(async () => {
  for (const gw of open) await gw.stop();
  server?.stop();
  dir?.cleanup();
});

describe("tool_search.embeddings", () => {
  test("tools embedded once, the query per search, fused with the lexical ranking", async () => {
    const lexical = await gateway(undefined);
    expect((await search(lexical, PARAPHRASE))[0]).not.toBe("memory_add_observations");

    const gw = await gateway({ url: server.url, model: "toy", api_key: KEY });
    expect((await search(gw, PARAPHRASE))[0]).toBe("memory_add_observations");
    expect(server.inputs.length).toBe(TOOLS + 1);
    expect(server.inputs.at(-1)).toBe(PARAPHRASE);
    // A keyword query keeps its lexical answer.
    expect((await search(gw, "create github issue"))[0]).toBe("github_create_issue");
    expect(server.inputs.length).toBe(TOOLS + 2);
    expect(new Set(server.authorizations)).toEqual(new Set([`Bearer ${KEY}`]));
    expect(gw.rpc.stderrText()).not.toContain(KEY);
  });

  test("the tools' embeddings are cached beside the schema cache: a new gateway embeds only queries", async () => {
    const files = readdirSync(join(dir.path, "cache", "mcp-gateway"));
    expect(files.filter((f) => f.startsWith("embeddings-")).length).toBe(1);
    const before = server.inputs.length;
    const gw = await gateway({ url: server.url, model: "toy", api_key: KEY });
    expect((await search(gw, PARAPHRASE))[0]).toBe("memory_add_observations");
    expect(server.inputs.slice(before)).toEqual([PARAPHRASE]);
  });

  test("another model is embedded anew, in a file of its own", async () => {
    const before = server.inputs.length;
    const gw = await gateway({ url: server.url, model: "toy-2" });
    await search(gw, PARAPHRASE);
    expect(server.inputs.length - before).toBe(TOOLS + 1);
    const files = readdirSync(join(dir.path, "cache", "mcp-gateway"));
    expect(files.filter((f) => f.startsWith("embeddings-")).length).toBe(2);
  });

  test("an endpoint that fails leaves the lexical ranking, with one warning", async () => {
    const broken = server.url.replace("/v1", "/broken/v1");
    const own = tempDir("search-embeddings-broken-");
    try {
      const gw = await gateway({ url: broken, model: "toy", api_key: KEY, timeout: 2 }, own);
      expect((await search(gw, "create github issue"))[0]).toBe("github_create_issue");
      expect((await search(gw, "send a slack message"))[0]).toBe("slack_slack_post_message");
      const err = gw.rpc.stderrText();
      expect(err).toContain("could not embed the tools");
      expect(err.split("tool search embeddings").length - 1).toBe(1);
      expect(err).not.toContain(KEY);
    } finally {
      own.cleanup();
    }
  });
});

describe("tool_search.embeddings config", () => {
  test("a bad url or weight is a config error", async () => {
    const { ConfigSchema } = await import("../../src/config/schema.ts");
    const parse = (embeddings: unknown) =>
      ConfigSchema.safeParse({ tool_search: { embeddings } }).success;
    expect(parse({ url: "http://127.0.0.1:11434/v1", model: "m" })).toBe(true);
    expect(parse({ url: "ftp://x", model: "m" })).toBe(false);
    expect(parse({ url: "http://x", model: "m", weight: 2 })).toBe(false);
    expect(parse({ url: "http://x" })).toBe(false);
  });
});
