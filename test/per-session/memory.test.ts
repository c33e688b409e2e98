// share: per_session with a real server-memory from npm, over Streamable HTTP: two sessions keep
// separate knowledge graphs (one's entities never appear in the other's), each process writing
// its own file through ${MCP_GATEWAY_SESSION}. The same config shared is one graph, as before.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type Connected, httpClient } from "../front/http-harness.ts";
import { callTool } from "../helpers/sdk.ts";
import { npmServer, Scene } from "./harness.ts";

let scene: Scene;
const clients: Connected[] = [];
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await scene.cleanup();
});

const graphDir = () => join(scene.dir.path, "graphs");

/** server-memory, its graph file named per session (or one file, shared). */
function memory(share: "per_session" | "shared") {
  const file = share === "per_session" ? "kg-${MCP_GATEWAY_SESSION}.jsonl" : "kg.jsonl";
  return {
    ...npmServer("server-memory", { MEMORY_FILE_PATH: join(graphDir(), file) }),
    share,
  };
}

async function twoSessions(share: "per_session" | "shared") {
  mkdirSync(graphDir());
  const gw = scene.gateway({ servers: { kg: memory(share) } });
  const { url } = await gw.serveHttp({ port: 0 });
  const [a, b] = await Promise.all([
    httpClient(url, undefined, "a"),
    httpClient(url, undefined, "b"),
  ]);
  clients.push(a, b);
  return { gw, a, b };
}

const entity = (name: string, note: string) => ({
  entities: [{ name, entityType: "person", observations: [note] }],
});
const names = async (c: Connected): Promise<string[]> => {
  const r = await callTool(c.client, "kg_read_graph", {});
  const graph = r.structuredContent as { entities: { name: string }[] } | undefined;
  return (graph?.entities ?? []).map((e) => e.name).sort();
};

describe("server-memory per session", () => {
  test("two sessions keep separate graphs; each process has its own file", async () => {
    const { gw, a, b } = await twoSessions("per_session");
    await callTool(a.client, "kg_create_entities", entity("alice", "only in A"));
    await callTool(b.client, "kg_create_entities", entity("bob", "only in B"));
    await callTool(a.client, "kg_add_observations", {
      observations: [{ entityName: "alice", contents: ["still only in A"] }],
    });
    expect(await names(a)).toEqual(["alice"]);
    expect(await names(b)).toEqual(["bob"]);
    const found = await callTool(b.client, "kg_search_nodes", { query: "alice" });
    expect(JSON.stringify(found.structuredContent)).not.toContain("alice");
    // A cannot reach B's entity either: adding to it fails as for any unknown entity.
    const miss = await callTool(a.client, "kg_add_observations", {
      observations: [{ entityName: "bob", contents: ["from A"] }],
    });
    expect(miss.isError).toBe(true);
    expect(await names(b)).toEqual(["bob"]);
    const pids = gw.router.serverHandles[0]?.lanes.map((l) => l.pid);
    expect(new Set(pids).size).toBe(2);
    const files = readdirSync(graphDir()).filter((f) => /^kg-[0-9a-f]{12}\.jsonl$/.test(f));
    expect(files).toHaveLength(2);
    expect(existsSync(join(graphDir(), "kg-${MCP_GATEWAY_SESSION}.jsonl"))).toBe(false);
  }, 60_000);

  test("shared (the default): one process, one graph for both sessions", async () => {
    const { gw, a, b } = await twoSessions("shared");
    await callTool(a.client, "kg_create_entities", entity("alice", "A"));
    await callTool(b.client, "kg_create_entities", entity("bob", "B"));
    expect(await names(a)).toEqual(["alice", "bob"]);
    expect(await names(b)).toEqual(["alice", "bob"]);
    expect(gw.router.serverHandles[0]?.lanes).toHaveLength(1);
  }, 60_000);
});
