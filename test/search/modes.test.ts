// What tools/list holds per tool_search mode, `always`, and `auto` switching at auto_tokens:
// real `mcp-gateway stdio` processes in front of catalog servers, schemas cached beforehand.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { type Gateway, type GatewayOptions, startGateway, warmCache } from "./harness.ts";

const SERVERS = ["github", "slack", "redis", "memory"];
const SEARCH_HEAD = ["gateway_status", "gateway_search_tools", "gateway_call_tool"];
let dir: TempDir;
const open: Gateway[] = [];

async function gateway(toolSearch?: Record<string, unknown>, more: GatewayOptions = {}) {
  const gw = await startGateway({ servers: SERVERS, toolSearch, dir, ...more });
  open.push(gw);
  return gw;
}
const names = async (gw: Gateway) => (await gw.list()).map((t) => t.name as string);
const searchStatus = async (gw: Gateway) => {
  const r = await gw.call("gateway_status");
  return (r.result!.structuredContent as { tool_search: Record<string, unknown> }).tool_search;
};

beforeAll(async () => {
  dir = tempDir("search-modes-");
  await warmCache({ servers: SERVERS }, dir);
});

afterAll(async () => {
  for (const gw of open) await gw.stop();
  dir?.cleanup();
});

describe("tools/list per mode", () => {
  test("off: every tool, no search tool, and the search tools are not even callable", async () => {
    const gw = await gateway({ mode: "off" });
    const list = await names(gw);
    expect(list.length).toBe(1 + 26 + 8 + 4 + 9);
    expect(list).not.toContain("gateway_search_tools");
    const r = await gw.call("gateway_search_tools", { query: "x" });
    expect(r.error).toEqual({ code: -32602, message: "Unknown tool: gateway_search_tools" });
    expect(await searchStatus(gw)).toEqual({ mode: "off" });
  });

  test("on: the two search tools and gateway_status, nothing else", async () => {
    const gw = await gateway({ mode: "on" });
    expect((await names(gw)).sort()).toEqual([...SEARCH_HEAD].sort());
    const st = await searchStatus(gw);
    expect(st.search).toBe(true);
    const tokens = st.tokens as { full: number; served: number };
    expect(tokens.served).toBeLessThan(1000);
    expect(tokens.full).toBeGreaterThan(5 * tokens.served);
  });

  test("on with `always`: the matching tools stay listed in full", async () => {
    const gw = await gateway({ mode: "on", always: ["redis_*", "slack_slack_post_message"] });
    const list = await names(gw);
    expect(list.sort()).toEqual(
      [
        ...SEARCH_HEAD,
        "redis_get",
        "redis_set",
        "redis_delete",
        "redis_list",
        "slack_slack_post_message",
      ].sort(),
    );
    const full = (await gw.list()).find((t) => t.name === "redis_set");
    expect(full?.inputSchema).toBeDefined();
  });

  test("the default is auto: a small setup stays transparent", async () => {
    const gw = await gateway();
    const list = await names(gw);
    expect(list.length).toBe(1 + 26 + 8 + 4 + 9);
    expect(list).not.toContain("gateway_search_tools");
    expect((await searchStatus(gw)).mode).toBe("auto");
  });
});

describe("auto switches at auto_tokens", () => {
  test("weight W: off at auto_tokens W, on at W - 1", async () => {
    const probe = await gateway({ mode: "auto", auto_tokens: 1_000_000 });
    const st = await searchStatus(probe);
    expect(st.search).toBe(false);
    const w = (st.tokens as { full: number }).full;
    expect(w).toBeGreaterThan(5000);

    const at = await gateway({ mode: "auto", auto_tokens: w });
    expect(await names(at)).not.toContain("gateway_search_tools");
    expect((await searchStatus(at)).search).toBe(false);

    const below = await gateway({ mode: "auto", auto_tokens: w - 1 });
    expect((await names(below)).sort()).toEqual([...SEARCH_HEAD].sort());
    expect((await searchStatus(below)).search).toBe(true);
  });
});
