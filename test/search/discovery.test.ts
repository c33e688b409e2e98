// Laziness kept: in search mode nothing starts for tools/list; the first search discovers every
// server never started (started, listed, cached) before it answers, then each is left to its idle
// timer. Twenty catalog servers, 258 tools: the search runs over 200+ tools.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isAlive, pidsIn, waitFor } from "../helpers/proc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { catalogPaths, foundNames, type Gateway, startGateway } from "./harness.ts";

let dir: TempDir;
let gw: Gateway;
const servers = [...catalogPaths().keys()];

beforeAll(async () => {
  dir = tempDir("search-discovery-");
  gw = await startGateway({
    toolSearch: { mode: "on" },
    extra: { idle_timeout: 1 },
    dir,
  });
});

afterAll(async () => {
  await gw?.stop();
  dir?.cleanup();
});

describe("cold cache", () => {
  test("tools/list in search mode starts nothing", async () => {
    expect(servers.length).toBe(20);
    const list = (await gw.list()).map((t) => t.name).sort();
    expect(list).toEqual(["gateway_call_tool", "gateway_search_tools", "gateway_status"]);
    expect(pidsIn(gw.pidDir, "catalog-")).toEqual([]);
    expect(readdirSync(gw.pidDir)).toEqual([]);
  });

  test("the first search discovers every server before it answers, over 258 tools", async () => {
    const r = await gw.call("gateway_search_tools", {
      query: "list the pods in a kubernetes namespace",
    });
    const found = foundNames(r);
    expect(found.length).toBe(5);
    expect(found.some((n) => n.startsWith("kubernetes_"))).toBe(true);
    // Every server was started once for it and its schemas cached.
    const markers = readdirSync(gw.pidDir);
    for (const s of servers) expect(markers.some((m) => m.startsWith(`catalog-${s}-`))).toBe(true);
    expect(markers.length).toBe(20);
    expect(existsSync(join(dir.path, "cache", "mcp-gateway"))).toBe(true);
    expect(readdirSync(join(dir.path, "cache", "mcp-gateway")).length).toBe(20);
    const st = await gw.call("gateway_status");
    const ts = (st.result!.structuredContent as { tool_search: { tools: { full: number } } })
      .tool_search;
    expect(ts.tools.full).toBe(1 + 258);
  });

  test("then each server is left to its idle timer", async () => {
    const pids = readdirSync(gw.pidDir).map((m) => Number(m.slice(m.lastIndexOf("-") + 1)));
    await waitFor(() => pids.every((p) => !isAlive(p)), {
      timeout: 20_000,
      message: "discovered servers to stop after idle_timeout",
    });
    const states = async () => {
      const st = await gw.call("gateway_status");
      return (st.result!.structuredContent as { servers: { state: string }[] }).servers.map(
        (s) => s.state,
      );
    };
    // The gateway sees each exit a moment after the process is gone.
    await waitFor(async () => (await states()).every((s) => s === "stopped"), {
      timeout: 10_000,
      message: "every server stopped in gateway_status",
    });
  });

  test("the next search answers from the cache, starting nothing", async () => {
    const r = await gw.call("gateway_search_tools", { query: "create a github issue" });
    expect(foundNames(r)[0]).toBe("github_create_issue");
    expect(readdirSync(gw.pidDir).length).toBe(20);
  });
});
