// Exposed names through the stdio CLI: prefixes (default, "", custom), shortening of long or
// invalid names (deterministic across runs, still callable), first-come conflicts with a warning
// naming both, and plugin/gateway_* names kept as they are.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exposedName, placeholderName, shorten, VALID_NAME } from "../../src/names.ts";
import { fixtureCommand } from "../helpers/fixture.ts";
import { MAIN } from "../helpers/paths.ts";
import { killTree, waitFor } from "../helpers/proc.ts";
import { callTool, connectStdio, listAll, type StdioConnection } from "../helpers/sdk.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

const INDEX = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
const LONG = `a-very-long-tool-prefix-that-goes-on-and-on-and-on-and-on-`;
const SERVERS = ["fx", "bare", "custom", "long", "dotted", "dup"];

let dir: TempDir;
let config: string;
const open: StdioConnection[] = [];

async function gateway(cache: string): Promise<StdioConnection> {
  const c = await connectStdio(process.execPath, [MAIN, "stdio", "--config", config], {
    env: { XDG_CACHE_HOME: cache },
  });
  open.push(c);
  return c;
}

/** Starts every server through its placeholder and returns the exposed tool names. */
async function connectAll(c: StdioConnection): Promise<string[]> {
  for (const s of SERVERS) {
    const r = await callTool(c.client, `_${s}_connect`);
    expect(r.isError).toBeUndefined();
  }
  return (await listAll(c.client, "tools/list")).map((d) => String(d.name));
}

const text = (r: Record<string, unknown>) => (r.content as { text: string }[])[0]?.text;

beforeAll(() => {
  dir = tempDir("names-");
  const plugin = join(dir.path, "plugin.ts");
  writeFileSync(
    plugin,
    `import { tool, z } from ${JSON.stringify(INDEX)};
export const add_numbers = tool({ description: "Add", input: { a: z.number(), b: z.number() } }, ({ a, b }) => a + b);
// Takes the name the fx server's echo would get: plugins come before servers.
export const fx_echo = tool({ description: "Plugin echo" }, () => "from the plugin");
`,
  );
  config = join(dir.path, "gateway.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      servers: {
        fx: fixtureCommand(),
        bare: { ...fixtureCommand(["--tool-prefix", "raw-"]), prefix: "" },
        custom: { ...fixtureCommand(), prefix: "my" },
        long: fixtureCommand(["--tool-prefix", LONG]),
        dotted: fixtureCommand(["--tool-prefix", "v1.0/"]),
        dup: { ...fixtureCommand(["--tool-prefix", "raw-"]), prefix: "" },
      },
      plugins: [{ module: "./plugin.ts" }],
    }),
  );
});

afterAll(async () => {
  for (const c of open) {
    await c.close().catch(() => {});
    await killTree(c.pid);
  }
  dir?.cleanup();
});

describe("exposed names", () => {
  let gw: StdioConnection;
  let names: string[];

  beforeAll(async () => {
    gw = await gateway(join(dir.path, "cache-1"));
    names = await connectAll(gw);
  });

  test("every name is valid for the strictest clients", () => {
    for (const n of names) expect(n).toMatch(VALID_NAME);
  });

  test("prefix: default is the server's name, '' is none, a custom prefix is used as given", async () => {
    expect(names).toContain("fx_add");
    expect(names).toContain("raw-add");
    expect(names).toContain("my_add");
    expect(names).not.toContain("custom_add");
    expect(text(await callTool(gw.client, "raw-echo", { text: "bare" }))).toBe("bare");
    expect(text(await callTool(gw.client, "my_echo", { text: "custom" }))).toBe("custom");
    const prompts = (await listAll(gw.client, "prompts/list")).map((d) => d.name);
    expect(prompts).toEqual(expect.arrayContaining(["fx_greet", "greet", "my_greet"]));
    const resources = (await listAll(gw.client, "resources/list")).map((d) => d.name);
    expect(resources).toContain("fx_static");
  });

  test("plugin tools and gateway_status keep their own names; a plugin wins over a server", async () => {
    expect(names).toContain("gateway_status");
    expect(names).toContain("add_numbers");
    expect(text(await callTool(gw.client, "add_numbers", { a: 1, b: 2 }))).toBe("3");
    expect(text(await callTool(gw.client, "fx_echo", { text: "x" }))).toBe("from the plugin");
    expect(gw.stderrText()).toMatch(/"fx_echo".*server "fx".*"plugins"/);
  });

  test("long and invalid names are shortened to a readable head and a hash, and are callable", async () => {
    const long = names.filter((n) => n.startsWith("long_a-very-long"));
    const dotted = names.filter((n) => n.startsWith("dotted_v1_0_"));
    expect(long.length).toBe(14); // every fixture tool
    expect(dotted.length).toBe(14);
    const echo = exposedName("long", `${LONG}echo`);
    expect(echo).toBe(shorten(`long_${LONG}echo`));
    expect(names).toContain(echo);
    expect(text(await callTool(gw.client, echo, { text: "via long" }))).toBe("via long");
    const dottedEcho = exposedName("dotted", "v1.0/echo");
    expect(names).toContain(dottedEcho);
    expect(text(await callTool(gw.client, dottedEcho, { text: "via dotted" }))).toBe("via dotted");
  });

  test("a conflict keeps the first server's tool and prompt and warns naming both", async () => {
    const status = await callTool(gw.client, "gateway_status");
    const servers = (status.structuredContent as { servers: { name: string; pid: number }[] })
      .servers;
    const barePid = servers.find((s) => s.name === "bare")?.pid;
    expect(text(await callTool(gw.client, "raw-pid"))).toBe(String(barePid));
    const err = gw.stderrText();
    expect(err).toMatch(/tool name "raw-echo" of server "dup".*taken by server "bare"/);
    expect(err).toMatch(/prompt name "greet" of server "dup".*taken by server "bare"/);
    // Each conflict is said once, not on every rebuild of the table.
    expect(err.split('tool name "raw-echo" of server "dup"').length).toBe(2);
  });

  test("the same names in another run, from a fresh cache and from the warm one", async () => {
    const again = await connectAll(await gateway(join(dir.path, "cache-2")));
    expect(again).toEqual(names);
    const warm = await gateway(join(dir.path, "cache-1"));
    const cached = (await listAll(warm.client, "tools/list")).map((d) => String(d.name));
    expect(cached).toEqual(names);
    await waitFor(() => warm.stderrText().includes('"raw-echo"'), {
      message: "the conflict warning from the cached lists too",
    });
  });
});

describe("names.ts", () => {
  test("shortening is deterministic and stays within 64 valid characters", () => {
    const full = `srv_${"x".repeat(100)}`;
    expect(shorten(full)).toBe(shorten(full));
    expect(shorten(full)).toMatch(VALID_NAME);
    expect(shorten(full)).not.toBe(shorten(`${full}y`));
    expect(exposedName("srv", "ok-name")).toBe("srv_ok-name");
    expect(exposedName("", "ok")).toBe("ok");
    expect(exposedName("s", "héllo wörld")).toMatch(/^s_h_llo_w_rld_[0-9a-f]{8}$/);
  });

  test("a placeholder for a very long server name is valid too", () => {
    expect(placeholderName("srv")).toBe("_srv_connect");
    expect(placeholderName("s".repeat(80))).toMatch(VALID_NAME);
  });
});
