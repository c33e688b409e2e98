// A session's found tools: they join its tools/list with list_changed, are then callable natively,
// and at most max_active stay (the least recently found leave first); other sessions are untouched.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RpcMessage } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { foundNames, type Gateway, startGateway, warmCache } from "./harness.ts";

const SERVERS = ["github", "slack", "redis", "memory"];
const HEAD = ["gateway_status", "gateway_search_tools", "gateway_call_tool"];
let dir: TempDir;
let gw: Gateway;
let other: Gateway;

const listChanged = (g: Gateway) =>
  g.rpc.messages.filter((m: RpcMessage) => m.method === "notifications/tools/list_changed").length;
const names = async (g: Gateway) => (await g.list()).map((t) => t.name as string);
/** A search, then the notifications it caused are in (a ping answered after them). */
async function search(g: Gateway, query: string, limit?: number): Promise<string[]> {
  const r = await g.call("gateway_search_tools", limit ? { query, limit } : { query });
  await g.rpc.request("ping");
  return foundNames(r);
}

beforeAll(async () => {
  dir = tempDir("search-session-");
  await warmCache({ servers: SERVERS }, dir);
  const opts = { servers: SERVERS, toolSearch: { mode: "on", max_active: 3 }, dir };
  [gw, other] = await Promise.all([startGateway(opts), startGateway(opts)]);
});

afterAll(async () => {
  await Promise.all([gw?.stop(), other?.stop()]);
  dir?.cleanup();
});

describe("found tools join the session's list", () => {
  test("list_changed after a search; the found tool is listed whole and callable natively", async () => {
    expect((await names(gw)).sort()).toEqual([...HEAD].sort());
    const before = listChanged(gw);
    const found = await search(gw, "create a github issue", 1);
    expect(found).toEqual(["github_create_issue"]);
    expect(listChanged(gw)).toBe(before + 1);
    const list = await gw.list();
    const def = list.find((t) => t.name === "github_create_issue");
    expect(def?.inputSchema).toBeDefined();
    expect(def?.description).toBe("Create a new issue in a GitHub repository");
    const r = await gw.call("github_create_issue", { owner: "a", repo: "b", title: "c" });
    expect(r.result?.structuredContent).toEqual({
      server: "github",
      tool: "create_issue",
      arguments: { owner: "a", repo: "b", title: "c" },
    });
    // The same search again changes nothing: no notification.
    await search(gw, "create a github issue", 1);
    expect(listChanged(gw)).toBe(before + 1);
    // Another session's list is its own.
    expect((await names(other)).sort()).toEqual([...HEAD].sort());
  });

  test("at most max_active found tools stay; the least recently found leave first", async () => {
    await search(gw, "redis get value", 1); // issue, get
    await search(gw, "redis set value", 1); // issue, get, set
    await search(gw, "create a github issue", 1); // get, set, issue (found again: most recent)
    const found = await search(gw, "slack post message", 1); // set, issue, post
    expect(found).toEqual(["slack_slack_post_message"]);
    const list = await names(gw);
    expect(list.slice(HEAD.length)).toEqual([
      "redis_set",
      "github_create_issue",
      "slack_slack_post_message",
    ]);
    // A tool that left the list can still be called by name.
    expect((await gw.call("redis_get", { key: "k" })).result?.content).toBeDefined();
  });

  test("gateway_status counts the session's searches and what its list weighs", async () => {
    const r = await gw.call("gateway_status");
    const ts = (r.result!.structuredContent as { tool_search: Record<string, unknown> })
      .tool_search;
    expect(ts.searches).toBe(6);
    const tools = ts.tools as { served: number; full: number };
    expect(tools.served).toBe(HEAD.length + 3);
    expect(tools.full).toBe(1 + 26 + 8 + 4 + 9);
  });
});
