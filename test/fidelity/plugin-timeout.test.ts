// Plugin tools honour call_timeout like forwarded calls: a handler that never answers gives the
// client a tool error naming the tool and the timeout, its signal is aborted, and the plugin
// stays loaded (its other tools, and the same one again, still answer).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { textOf } from "../helpers/results.ts";
import { initialize, type RpcProcess } from "../helpers/rpc.ts";
import { Scene } from "./harness.ts";

const PLUGIN = `import { tool, z } from "mcp-gateway";

let aborted = "not aborted";

export const hang = tool({ description: "Never answers on its own" }, (_args, { signal }) =>
  new Promise((resolve) => {
    signal.addEventListener("abort", () => {
      aborted = String(signal.reason?.message ?? signal.reason);
      resolve("too late");
    });
  }),
);

export const why = tool({ description: "How the last hang ended" }, () => aborted);

export const quick = tool({ description: "Answers", input: { n: z.number() } }, ({ n }) => n + 1);
`;

let scene: Scene;
let gw: RpcProcess;

beforeAll(async () => {
  scene = new Scene("mcp-gateway-plugin-timeout-");
  writeFileSync(join(scene.dir.path, "slow.ts"), PLUGIN);
  scene.writeConfig({ call_timeout: 1, plugins: [{ module: "./slow.ts" }] });
  gw = scene.stdio();
  await initialize(gw);
});

afterAll(async () => {
  await scene?.cleanup();
});

describe("plugin tools and call_timeout", () => {
  test("a hung handler: a tool error naming the tool; its signal aborted", async () => {
    const res = await gw.request("tools/call", { name: "hang", arguments: {} });
    expect(res.result?.isError).toBe(true);
    expect(textOf(res)).toBe('plugin tool "hang" did not answer within 1 s (call_timeout)');
    const why = await gw.request("tools/call", { name: "why", arguments: {} });
    expect(textOf(why)).toBe("call_timeout passed (1 s)");
  });

  test("the plugin stays loaded: its tools are listed and answer, the hung one times out again", async () => {
    const tools = (await gw.request("tools/list", {})).result?.tools as { name: string }[];
    expect(tools.map((t) => t.name).sort()).toEqual(["gateway_status", "hang", "quick", "why"]);
    expect(textOf(await gw.request("tools/call", { name: "quick", arguments: { n: 41 } }))).toBe(
      "42",
    );
    const again = await gw.request("tools/call", { name: "hang", arguments: {} });
    expect(textOf(again)).toContain("call_timeout");
    // Nothing late reached the client: one answer per request, and the gateway still serves.
    const answers = gw.messages.filter((m) => m.id !== undefined && m.method === undefined);
    expect(new Set(answers.map((m) => m.id)).size).toBe(answers.length);
    expect((await gw.request("ping", {})).result).toEqual({});
  });
});
