/**
 * types/mcp-gateway.d.ts as a plugin author uses it: a project outside the repo whose tsconfig
 * maps "mcp-gateway" to the file (README: Plugins), type-checked with tsc. A wrong argument type
 * must be caught, and the file must declare what src/index.ts exports at run time.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import * as api from "../../src/index.ts";
import { ROOT } from "../helpers/paths.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { writeFiles } from "./project.ts";

const DTS = join(ROOT, "types/mcp-gateway.d.ts");
const TSC = join(ROOT, "node_modules/.bin/tsc");

const TSCONFIG = {
  compilerOptions: {
    target: "ESNext",
    module: "Preserve",
    moduleResolution: "bundler",
    lib: ["ESNext", "DOM"],
    types: [],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: false,
    paths: { "mcp-gateway": [DTS] },
  },
};

const PLUGIN = `
import { type GatewayTool, tool, z } from "mcp-gateway";

export const add: GatewayTool = tool(
  { description: "Add two numbers", input: { a: z.number(), b: z.number() } },
  ({ a, b }) => a + b,
);

export const search = tool(
  {
    description: "Search",
    input: { q: z.string(), limit: z.number().int().default(10) },
    output: { hits: z.array(z.string()) },
  },
  async ({ q, limit }, { signal }) => {
    signal.throwIfAborted();
    return { hits: [q.repeat(limit)] };
  },
);
`;

const PROGRAM = `
import { MCPGateway, tool, z } from "mcp-gateway";
import { add } from "./plugin.ts";

export async function main(): Promise<void> {
  await using gw = await MCPGateway.fromConfig("gateway.yaml", { role: "admin" });
  gw.registerTool(add);
  gw.registerTool(add, "plus");
  gw.registerTool(({ s }) => s.toUpperCase(), {
    name: "upper",
    description: "Upper-case",
    input: { s: z.string() },
  });
  gw.registerTool(tool({ name: "hi", description: "Hi" }, () => "hi"));
  const served: { url: string; port: number } = await gw.serveHttp({ host: "127.0.0.1", port: 0 });
  void served;
  await gw.serveStdio();
}
`;

const WRONG = `
import { tool, z } from "mcp-gateway";
export const bad = tool({ description: "x", input: { a: z.number() } }, ({ a }) => a.toUpperCase());
export const badOutput = tool(
  { description: "x", output: { n: z.number() } },
  () => ({ n: "not a number" }),
);
`;

async function tsc(dir: string): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([TSC, "-p", dir], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, out: `${out}${err}` };
}

describe("types/mcp-gateway.d.ts", () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = tempDir("mcp-gateway-types-");
  });
  afterAll(() => dir.cleanup());

  test("a plugin and a program type-check against it", async () => {
    const project = join(dir.path, "ok");
    writeFiles(project, {
      "tsconfig.json": JSON.stringify(TSCONFIG),
      "plugin.ts": PLUGIN,
      "program.ts": PROGRAM,
    });
    const { code, out } = await tsc(project);
    expect(out).toBe("");
    expect(code).toBe(0);
  });

  test("a wrong argument or output type is an error in the editor", async () => {
    const project = join(dir.path, "wrong");
    writeFiles(project, { "tsconfig.json": JSON.stringify(TSCONFIG), "plugin.ts": WRONG });
    const { code, out } = await tsc(project);
    expect(code).not.toBe(0);
    expect(out).toContain("plugin.ts(3,");
    expect(out).toContain("toUpperCase");
    expect(out).toMatch(/plugin\.ts\(6,/);
  });

  test("it declares every value src/index.ts exports", async () => {
    const text = await Bun.file(DTS).text();
    const declared = new Set([
      ...[...text.matchAll(/^export declare (?:function|class) (\w+)/gm)].map((m) => m[1]),
      ...[...text.matchAll(/^export \{ (\w+) \};/gm)].map((m) => m[1]),
    ]);
    expect([...declared].sort()).toEqual(Object.keys(api).sort());
  });
});
