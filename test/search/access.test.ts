// Roles on search and on gateway_call_tool, gateway_call_tool against a direct call (result and
// errors unchanged, with a real server-memory from npm too), and bad input to both search tools.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { RpcMessage } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { foundNames, type Gateway, npmServer, startGateway, warmCache } from "./harness.ts";

const SERVERS = ["github", "slack", "redis"];
const ROLES = { gh: ["github_*"], ghstatus: ["github_*", "gateway_status"], admin: null };
let dir: TempDir;
let admin: Gateway;
let gh: Gateway;
let ghstatus: Gateway;

const more = () => ({
  kg: npmServer("server-memory", { MEMORY_FILE_PATH: join(dir.path, "kg.jsonl") }),
});
const start = (role: string) =>
  startGateway({
    servers: SERVERS,
    more: more(),
    roles: ROLES,
    role,
    toolSearch: { mode: "on" },
    dir,
  });
/** A response without its id, to compare two answers to different requests. */
const body = (m: RpcMessage) => ({ result: m.result, error: m.error });
const text = (m: RpcMessage) =>
  (m.result?.content as { text: string }[] | undefined)?.[0]?.text ?? "";

beforeAll(async () => {
  dir = tempDir("search-access-");
  await warmCache({ servers: SERVERS, more: more() }, dir);
  [admin, gh, ghstatus] = await Promise.all([start("admin"), start("gh"), start("ghstatus")]);
});

afterAll(async () => {
  await Promise.all([admin, gh, ghstatus].map((g) => g?.stop()));
  dir?.cleanup();
});

describe("roles", () => {
  test("the search tools are listed to every role; gateway_status only where allowed", async () => {
    const list = async (g: Gateway) => (await g.list()).map((t) => t.name).sort();
    expect(await list(gh)).toEqual(["gateway_call_tool", "gateway_search_tools"]);
    expect(await list(ghstatus)).toEqual([
      "gateway_call_tool",
      "gateway_search_tools",
      "gateway_status",
    ]);
  });

  test("a search never returns a tool the role hides", async () => {
    for (const query of [
      "post a message to a slack channel",
      "slack",
      "redis get key",
      "knowledge graph entities",
    ]) {
      const r = await gh.call("gateway_search_tools", { query, limit: 20 });
      for (const name of foundNames(r)) expect(name).toStartWith("github_");
    }
    const mine = await gh.call("gateway_search_tools", { query: "create an issue" });
    expect(foundNames(mine)[0]).toBe("github_create_issue");
    const other = await admin.call("gateway_search_tools", {
      query: "post a message to a slack channel",
    });
    expect(foundNames(other)).toContain("slack_slack_post_message");
  });

  test("gateway_call_tool on a hidden tool answers exactly like a direct call and an unknown name", async () => {
    const hidden = "slack_slack_post_message";
    const direct = await gh.call(hidden, { channel_id: "C1", text: "hi" });
    const through = await gh.call("gateway_call_tool", {
      name: hidden,
      arguments: { channel_id: "C1", text: "hi" },
    });
    expect(direct.error).toEqual({ code: -32602, message: `Unknown tool: ${hidden}` });
    expect(body(through)).toEqual(body(direct));
    const unknown = await gh.call("gateway_call_tool", { name: "no_such_tool" });
    expect(unknown.error).toEqual({ code: -32602, message: "Unknown tool: no_such_tool" });
    // gateway_status is hidden from gh too; the search tools themselves are not.
    expect(body(await gh.call("gateway_call_tool", { name: "gateway_status" }))).toEqual(
      body(await gh.call("gateway_status")),
    );
    // A tool the role sees goes through.
    const seen = await gh.call("gateway_call_tool", {
      name: "github_get_issue",
      arguments: { issue_number: 1 },
    });
    expect(seen.result?.isError).toBeUndefined();
  });
});

describe("gateway_call_tool is the tool's own answer", () => {
  test("result, tool error and JSON-RPC error equal a direct call's (catalog server)", async () => {
    const args = { owner: "acme", repo: "web", title: "Broken redirect" };
    const direct = await admin.call("github_create_issue", args);
    const through = await admin.call("gateway_call_tool", {
      name: "github_create_issue",
      arguments: args,
    });
    expect(direct.result?.structuredContent).toBeDefined();
    expect(body(through)).toEqual(body(direct));
    const fail = { fail: "rate limited" };
    const directErr = await admin.call("redis_get", fail);
    expect(directErr.result?.isError).toBe(true);
    expect(
      body(await admin.call("gateway_call_tool", { name: "redis_get", arguments: fail })),
    ).toEqual(body(directErr));
  });

  test("a real server-memory from npm: same results, same validation errors", async () => {
    const entities = {
      entities: [{ name: "Alice", entityType: "person", observations: ["prefers tea"] }],
    };
    const created = await admin.call("gateway_call_tool", {
      name: "kg_create_entities",
      arguments: entities,
    });
    expect(text(created)).toContain("Alice");
    const direct = await admin.call("kg_read_graph");
    const through = await admin.call("gateway_call_tool", { name: "kg_read_graph" });
    expect(body(through)).toEqual(body(direct));
    const badDirect = await admin.call("kg_create_entities", { entities: "nope" });
    const badThrough = await admin.call("gateway_call_tool", {
      name: "kg_create_entities",
      arguments: { entities: "nope" },
    });
    expect(body(badThrough)).toEqual(body(badDirect));
  });
});

describe("bad input gets a clear tool error", () => {
  const cases: [string, unknown, string][] = [
    ["gateway_search_tools", {}, "query: required, a non-empty string"],
    ["gateway_search_tools", { query: "  " }, "query: required, a non-empty string"],
    ["gateway_search_tools", { query: 42 }, "query: required, a non-empty string"],
    ["gateway_search_tools", { query: "x", limit: 0 }, "limit: an integer from 1 to 20"],
    ["gateway_search_tools", { query: "x", limit: 21 }, "limit: an integer from 1 to 20"],
    ["gateway_search_tools", { query: "x", limit: 2.5 }, "limit: an integer from 1 to 20"],
    ["gateway_search_tools", { query: "x", limit: "3" }, "limit: an integer from 1 to 20"],
    ["gateway_search_tools", "query", "arguments must be an object"],
    ["gateway_search_tools", [1], "arguments must be an object"],
    ["gateway_call_tool", {}, "name: required, the exact name of a tool"],
    ["gateway_call_tool", { name: 7 }, "name: required, the exact name of a tool"],
    ["gateway_call_tool", { name: "redis_get", arguments: "key" }, "arguments: must be an object"],
    ["gateway_call_tool", { name: "redis_get", arguments: [1] }, "arguments: must be an object"],
  ];
  for (const [tool, args, why] of cases)
    test(`${tool} ${JSON.stringify(args)}`, async () => {
      const r = await admin.rpc.request("tools/call", { name: tool, arguments: args });
      expect(r.result?.isError).toBe(true);
      expect(text(r)).toBe(`Invalid arguments for tool ${tool}: ${why}`);
    });

  test("a limit within range is honoured", async () => {
    const r = await admin.call("gateway_search_tools", { query: "issue", limit: 2 });
    expect(foundNames(r).length).toBe(2);
    expect((r.result!.structuredContent as { total: number }).total).toBeGreaterThan(2);
  });
});
