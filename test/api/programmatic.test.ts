/**
 * The programmatic API end to end, as a program uses it: a bun script outside the repo that
 * imports "mcp-gateway" (installed as node_modules/mcp-gateway → this repo), opens the gateway
 * with `await using gw = await MCPGateway.fromConfig(...)`, registers tools both ways and serves
 * stdio to a real SDK client. Leaving the `using` block must stop the backends it started.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { BUN, ROOT } from "../helpers/paths.ts";
import { isAlive, killTree, waitFor } from "../helpers/proc.ts";
import { callTool, connectStdio, type StdioConnection } from "../helpers/sdk.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { MATH, writeConfig, writeFiles } from "../plugin/project.ts";

const APP = `
import { MCPGateway, tool, z } from "mcp-gateway";

const config = process.argv[2];
{
  await using gw = await MCPGateway.fromConfig(config);
  let leave = () => {};
  const left = new Promise((resolve) => {
    leave = resolve;
  });
  gw.registerTool(
    tool({ name: "shout", description: "Upper-case", input: { s: z.string() } }, ({ s }) =>
      s.toUpperCase(),
    ),
  );
  gw.registerTool(({ a, b }) => ({ product: a * b }), {
    name: "times",
    description: "Multiply",
    input: { a: z.number(), b: z.number() },
    output: { product: z.number() },
  });
  gw.registerTool(
    () => {
      setTimeout(leave, 0);
      return "leaving";
    },
    { name: "leave", description: "Leave the await using block" },
  );
  void gw.serveStdio();
  await left;
  console.error("leaving the block");
}
console.error("disposed");
`;

describe("MCPGateway from a bun program", () => {
  let dir: TempDir;
  let conn: StdioConnection | undefined;

  beforeAll(() => {
    dir = tempDir("mcp-gateway-api-");
    writeFiles(dir.path, { "app.ts": APP, "plugins/math.ts": MATH });
    mkdirSync(join(dir.path, "node_modules"));
    symlinkSync(ROOT, join(dir.path, "node_modules", "mcp-gateway"), "dir");
    writeConfig(dir.path, ["./plugins/math.ts"], true);
  });

  afterAll(async () => {
    if (conn) {
      const pid = conn.pid;
      await conn.close().catch(() => {});
      if (isAlive(pid)) await killTree(pid);
    }
    dir.cleanup();
  });

  test("registerTool (both forms), plugins, a backend; await using stops the backend", async () => {
    conn = await connectStdio(BUN, [join(dir.path, "app.ts"), join(dir.path, "gateway.yaml")], {
      cwd: dir.path,
      env: { XDG_CACHE_HOME: join(dir.path, "cache"), MCP_GATEWAY_CONFIG: undefined },
    });
    const { client } = conn;

    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(["gateway_status", "add", "shout", "times", "leave", "_fx_connect"]),
    );
    expect(tools.find((t) => t.name === "times")?.outputSchema).toMatchObject({
      properties: { product: { type: "number" } },
    });

    // The SDK client checks structuredContent against outputSchema itself.
    const times = await client.callTool({ name: "times", arguments: { a: 6, b: 7 } });
    expect(times.structuredContent).toEqual({ product: 42 });
    const shout = CallToolResultSchema.parse(
      await client.callTool({ name: "shout", arguments: { s: "hey" } }),
    );
    expect(shout.content).toEqual([{ type: "text", text: "HEY" }]);
    expect((await callTool(client, "add", { a: 1, b: 2 })).content).toEqual([
      { type: "text", text: "3" },
    ]);

    await callTool(client, "_fx_connect");
    const pidText = (await callTool(client, "fx_pid")).content as { text: string }[];
    const backend = Number(pidText[0]?.text);
    expect(isAlive(backend)).toBe(true);

    expect((await callTool(client, "leave")).content).toEqual([{ type: "text", text: "leaving" }]);
    const stderr = conn;
    await waitFor(() => stderr.stderrText().includes("disposed"), {
      timeout: 15_000,
      message: "the program to leave its await using block",
    });
    // Disposal awaited close(), which waits for each backend to exit.
    expect(isAlive(backend)).toBe(false);
    expect(stderr.stderrText()).toContain("leaving the block");
  });
});
