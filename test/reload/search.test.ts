// Issue 14, tool_search: swapped with roles and tokens between requests while calls are in flight;
// a session keeps the tools it found when the settings change, and search mode goes as it came.
import { afterEach, describe, expect, test } from "bun:test";
import {
  Held,
  notifications,
  pidOf,
  ReloadScene,
  reloaded,
  server,
  status,
  toolNames,
} from "./harness.ts";

const scenes: ReloadScene[] = [];
afterEach(async () => {
  for (const s of scenes.splice(0)) await s.cleanup();
});

describe("tool_search", () => {
  test("changed by reloads: found tools kept; a client hears list_changed only when its list changed", async () => {
    const s = new ReloadScene();
    scenes.push(s);
    const servers = { a: server(), b: server() };
    s.write({ servers, tool_search: { mode: "on", max_active: 5 } });
    const gw = await s.stdio();
    await gw.call("_a_connect");
    await gw.call("_b_connect");
    const pids = { a: await pidOf(gw, "a_pid"), b: await pidOf(gw, "b_pid") };
    const found = await gw.call("gateway_search_tools", { query: "echo the text back", limit: 2 });
    expect(found.error).toBeUndefined();
    const listed = await toolNames(gw);
    expect(listed).toContain("gateway_search_tools");
    expect(listed).toContain("a_echo");
    expect(listed).not.toContain("a_add");
    const held = new Held(gw).start(["a_sample", "b_sample"]);
    await held.inFlight();

    // A new default limit: the list is the same, so no list_changed.
    let before = await status(gw);
    let mark = gw.messages().length;
    s.write({ servers, tool_search: { mode: "on", max_active: 5, limit: 3 } });
    let after = await reloaded(gw, before, "the tool_search change");
    expect(after.config.last_reload?.changes).toEqual(["tool search changed"]);
    expect(await toolNames(gw)).toEqual(listed);
    expect(notifications(gw, mark)).toEqual([]);

    // auto, over a threshold this role stays under: search mode ends, every tool is listed. The
    // catalog is the same (the search tools still exist): only the served list tells.
    before = after;
    mark = gw.messages().length;
    s.write({ servers, tool_search: { mode: "auto", auto_tokens: 1_000_000 } });
    after = await reloaded(gw, before, "tool search auto");
    expect(notifications(gw, mark)).toEqual(["notifications/tools/list_changed"]);
    const all = await toolNames(gw);
    expect(all).toContain("a_add");
    expect(all).not.toContain("gateway_search_tools");

    // off: the search tools leave the catalog, but this client's list is what it was: silence.
    before = after;
    mark = gw.messages().length;
    s.write({ servers, tool_search: { mode: "off" } });
    after = await reloaded(gw, before, "tool search off");
    expect(after.config.last_reload?.changes).toEqual(["tool search changed"]);
    expect(await toolNames(gw)).toEqual(all);
    expect(notifications(gw, mark)).toEqual([]);
    expect((await status(gw)).tool_search).toEqual({ mode: "off" });

    await held.settle();
    held.answeredOnce();
    expect(await pidOf(gw, "a_pid")).toBe(pids.a);
    expect(await pidOf(gw, "b_pid")).toBe(pids.b);
    const { left } = await s.shutdown(gw);
    expect(left).toEqual([]);
  });
});
