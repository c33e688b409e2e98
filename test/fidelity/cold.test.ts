// Cold calls: with an empty schema cache, a client that calls `<prefix>_<tool>` (or gets
// `<prefix>_<prompt>`) without listing first — one holding a list from an earlier run — gets the
// answer: the gateway starts and discovers the server the prefix names, then routes the call. A
// name that server does not have is still unknown; a name the role hides, or whose prefix names
// no server, is unknown at once and starts nothing.
import { afterEach, describe, expect, test } from "bun:test";
import { fixtureCommand } from "../helpers/fixture.ts";
import { textOf } from "../helpers/results.ts";
import { initialize, type RpcProcess } from "../helpers/rpc.ts";
import { Scene } from "./harness.ts";

let scene: Scene | undefined;

afterEach(async () => {
  await scene?.cleanup();
  scene = undefined;
});

/** A gateway on an empty cache, with the fixture server "fx" (and a second, "other"). */
async function cold(role?: string): Promise<{ scene: Scene; gw: RpcProcess }> {
  scene = new Scene("mcp-gateway-cold-");
  scene.writeConfig({
    servers: { fx: fixtureCommand(), other: { ...fixtureCommand(), prefix: "o" } },
    roles: { echo: ["fx_echo"] },
  });
  const gw = scene.stdio(role ? ["--role", role] : []);
  await initialize(gw);
  return { scene, gw };
}

describe("cold calls", () => {
  test("a tool call by a name from an earlier run starts its server, then is answered", async () => {
    const { scene, gw } = await cold();
    expect(scene.starts().length).toBe(0);
    const res = await gw.request("tools/call", { name: "fx_echo", arguments: { text: "warm" } });
    expect(textOf(res)).toBe("warm");
    // Only the server the prefix names was started; the list now holds its tools.
    expect(scene.starts().length).toBe(1);
    const tools = (await gw.request("tools/list", {})).result?.tools as { name: string }[];
    expect(tools.map((t) => t.name)).toContain("fx_add");
    expect(tools.map((t) => t.name)).toContain("_other_connect");
  });

  test("prompts too: prompts/get by name starts the server first", async () => {
    const { gw } = await cold();
    const res = await gw.request("prompts/get", { name: "o_greet", arguments: { name: "Ada" } });
    expect(JSON.stringify(res.result)).toContain("Ada");
  });

  test("a name the server does not have is still unknown, once it is discovered", async () => {
    const { scene, gw } = await cold();
    const res = await gw.request("tools/call", { name: "fx_nope", arguments: {} });
    expect(res.error).toEqual({ code: -32602, message: "Unknown tool: fx_nope" });
    expect(scene.starts().length).toBe(1);
    const prompt = await gw.request("prompts/get", { name: "o_nope" });
    expect(prompt.error).toEqual({ code: -32602, message: "Unknown prompt: o_nope" });
  });

  test("a prefix no server has: unknown at once, nothing started", async () => {
    const { scene, gw } = await cold();
    const res = await gw.request("tools/call", { name: "zz_echo", arguments: {} });
    expect(res.error).toEqual({ code: -32602, message: "Unknown tool: zz_echo" });
    expect(scene.starts().length).toBe(0);
  });

  test("a role's hidden names answer exactly like unknown ones and start nothing", async () => {
    const { scene, gw } = await cold("echo");
    const hidden = await gw.request("tools/call", { name: "fx_add", arguments: { a: 1, b: 2 } });
    const unknown = await gw.request("tools/call", { name: "zz_add", arguments: {} });
    expect(hidden.error).toEqual({ code: -32602, message: "Unknown tool: fx_add" });
    expect(hidden.error?.code).toBe(unknown.error?.code as number);
    const prompt = await gw.request("prompts/get", { name: "o_greet" });
    expect(prompt.error?.message).toBe("Unknown prompt: o_greet");
    expect(scene.starts().length).toBe(0);
    // What the role allows still works cold.
    const res = await gw.request("tools/call", { name: "fx_echo", arguments: { text: "ok" } });
    expect(textOf(res)).toBe("ok");
  });

  test("a server that cannot start: the call gets a tool error naming it", async () => {
    scene = new Scene("mcp-gateway-cold-");
    scene.writeConfig({ servers: { bad: fixtureCommand(["--crash-on-start", "3"]) } });
    const gw = scene.stdio();
    await initialize(gw);
    const res = await gw.request("tools/call", { name: "bad_echo", arguments: {} });
    expect(res.result?.isError).toBe(true);
    expect(textOf(res)).toContain('"bad"');
  });
});
