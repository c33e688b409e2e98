// Modern-era (2026-07-28) requests on the stdio front have no session: in search mode their
// tools/list is the search head only, a search is limited by the role and joins no list (no
// list_changed), and gateway_call_tool works for them like a direct call.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CLIENT_CAPABILITIES_META_KEY,
  PROTOCOL_VERSION_META_KEY,
} from "@modelcontextprotocol/server";
import type { RpcMessage } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { foundNames, type Gateway, startGateway, warmCache } from "./harness.ts";

const SERVERS = ["github", "slack"];
const META = { [PROTOCOL_VERSION_META_KEY]: "2026-07-28", [CLIENT_CAPABILITIES_META_KEY]: {} };
let dir: TempDir;
let gw: Gateway;

/** One modern request: the envelope rides in `_meta`, no initialize, no session. */
const modern = (method: string, params: Record<string, unknown> = {}) =>
  gw.rpc.request(method, { ...params, _meta: META });
const body = (m: RpcMessage) => ({ result: m.result, error: m.error });
const listChanged = () =>
  gw.rpc.messages.filter((m) => m.method === "notifications/tools/list_changed").length;

beforeAll(async () => {
  dir = tempDir("search-stateless-");
  const opts = {
    servers: SERVERS,
    roles: { gh: ["github_*"] },
    role: "gh",
    toolSearch: { mode: "on" },
    dir,
  };
  await warmCache(opts, dir);
  gw = await startGateway(opts);
});

afterAll(async () => {
  await gw?.stop();
  dir?.cleanup();
});

describe("modern (stateless) requests in search mode", () => {
  test("tools/list is the search head; a search finds only what the role sees, joins no list", async () => {
    const head = ["gateway_call_tool", "gateway_search_tools"];
    const list = await modern("tools/list");
    expect(((list.result?.tools ?? []) as { name: string }[]).map((t) => t.name).sort()).toEqual(
      head,
    );
    const before = listChanged();
    const r = await modern("tools/call", {
      name: "gateway_search_tools",
      arguments: { query: "post a message to slack or comment on an issue", limit: 20 },
    });
    const found = foundNames(r);
    expect(found.length).toBeGreaterThan(0);
    for (const n of found) expect(n).toStartWith("github_");
    await gw.rpc.request("ping");
    expect(listChanged()).toBe(before);
    const again = await modern("tools/list");
    expect(((again.result?.tools ?? []) as { name: string }[]).map((t) => t.name).sort()).toEqual(
      head,
    );
  });

  test("gateway_call_tool answers a modern request like a direct call", async () => {
    const args = { owner: "acme", repo: "web", issue_number: 7 };
    const direct = await modern("tools/call", { name: "github_get_issue", arguments: args });
    const through = await modern("tools/call", {
      name: "gateway_call_tool",
      arguments: { name: "github_get_issue", arguments: args },
    });
    expect(direct.result?.structuredContent).toBeDefined();
    expect(body(through)).toEqual(body(direct));
    const hidden = await modern("tools/call", {
      name: "gateway_call_tool",
      arguments: { name: "slack_slack_post_message" },
    });
    const hiddenDirect = await modern("tools/call", {
      name: "slack_slack_post_message",
      arguments: {},
    });
    expect(hidden.error?.message).toBe("Unknown tool: slack_slack_post_message");
    expect(body(hidden)).toEqual(body(hiddenDirect));
  });
});
