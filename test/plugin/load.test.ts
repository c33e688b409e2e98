/**
 * Plugins as a user loads them: plugin files in a temp folder outside the repo, with no
 * node_modules, a gateway.yaml naming them, and the gateway run both from the sources
 * (`bun src/main.ts stdio`) and as the compiled binary, spoken to in raw JSON-RPC.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/paths.ts";
import { killTree, waitFor } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import { initialize, type RpcProcess, spawnRpc } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import {
  DECOYS,
  EDITOR_TSCONFIG,
  foreignCopy,
  GATE,
  MATH,
  NAMED,
  NO_TOOLS,
  PACKAGE,
  SYNTAX_ERROR,
  THROWS_AT_IMPORT,
  writeConfig,
  writeFiles,
  ZOD_CHECK,
} from "./project.ts";
import { binaryRunner, type Runner, removeBuiltBinary, sourceRunner } from "./runners.ts";

interface Tool {
  name: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

/** The environment a user would have, minus the gateway's own variables. */
function env(dir: string): Record<string, string | undefined> {
  return {
    XDG_CACHE_HOME: join(dir, "cache"),
    PLUGIN_MARK_DIR: join(dir, "marks"),
    MCP_GATEWAY_CONFIG: undefined,
    MCP_GATEWAY_ROLE: undefined,
    MCP_GATEWAY_LOG: undefined,
  };
}

/** Starts the gateway on `config` and waits for it to answer initialize. */
async function start(runner: Runner, dir: string, config: string): Promise<RpcProcess> {
  const [cmd = "", ...args] = runner.argv;
  const rpc = spawnRpc(cmd, [...args, "stdio", "--config", config], {
    cwd: dir,
    env: env(dir),
    timeout: 20_000,
  });
  await initialize(rpc);
  return rpc;
}

/** Runs the gateway on a config that must fail at start: exit status and stderr. */
async function failAtStart(runner: Runner, dir: string, config: string) {
  const [cmd = "", ...args] = runner.argv;
  const proc = Bun.spawn([cmd, ...args, "stdio", "--config", config], {
    cwd: dir,
    env: { ...process.env, ...env(dir) },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { code, out, lines: err.trim().split("\n") };
}

const RUNNERS: [string, () => Promise<Runner>][] = [
  ["sources", async () => sourceRunner],
  ["binary", binaryRunner],
];

afterAll(removeBuiltBinary);

for (const [kind, getRunner] of RUNNERS) {
  describe(`plugins through ${kind}`, () => {
    let runner: Runner;
    let dir: TempDir;
    let gw: RpcProcess;
    const call = (name: string, args: Record<string, unknown> = {}) =>
      gw.request("tools/call", { name, arguments: args });

    beforeAll(async () => {
      runner = await getRunner();
      dir = tempDir("mcp-gateway-plugins-");
      mkdirSync(join(dir.path, "marks"));
      writeFiles(dir.path, {
        "tools/math.ts": MATH,
        "tools/gate.ts": GATE,
        "zodcheck.ts": ZOD_CHECK,
        "named.ts": NAMED,
        // The editor setup README recommends: it must not change what the import resolves to.
        "tsconfig.json": EDITOR_TSCONFIG,
      });
      const config = writeConfig(
        dir.path,
        ["./tools/math.ts", "./tools/gate.ts", "./zodcheck.ts", "named.ts"],
        true,
      );
      gw = await start(runner, dir.path, config);
    }, 300_000);

    afterAll(async () => {
      if (gw) await killTree(gw.pid);
      dir?.cleanup();
    });

    test("every exported tool() is listed, with its zod shape as inputSchema", async () => {
      const tools = (await gw.request("tools/list")).result?.tools as Tool[];
      const byName = new Map(tools.map((t) => [t.name, t]));
      expect([...byName.keys()]).toEqual(
        expect.arrayContaining(["add", "fail", "later", "number_stats", "hold", "release"]),
      );
      expect(byName.get("add")?.inputSchema).toEqual({
        type: "object",
        properties: { a: { type: "number" }, b: { type: "number" } },
        required: ["a", "b"],
      });
      expect(byName.get("number_stats")?.outputSchema).toMatchObject({
        type: "object",
        properties: { min: { type: "number" }, max: { type: "number" } },
        required: ["min", "max"],
      });
      // The default export is named after its file; a `name` option wins over the export name.
      expect(byName.has("named")).toBe(true);
      expect(byName.has("renamed")).toBe(true);
      expect(byName.has("x")).toBe(false);
      expect(byName.has("notATool")).toBe(false);
    });

    test("a call runs the handler; a number becomes text", async () => {
      const res = await call("add", { a: 2, b: 3 });
      expect(res.result).toEqual({ content: [{ type: "text", text: "5" }] });
    });

    test("invalid arguments are a tool error naming the field and the reason", async () => {
      const wrong = await call("add", { a: 1, b: "two" });
      expect(wrong.result?.isError).toBe(true);
      expect(textOf(wrong)).toContain("b: Invalid input: expected number, received string");
      const missing = await call("add", { a: 1 });
      expect(missing.result?.isError).toBe(true);
      expect(textOf(missing)).toContain("b: required (expected number)");
      const nested = await call("number_stats", { values: [] });
      expect(textOf(nested)).toContain("values: Too small");
    });

    test("a thrown error is isError with its message", async () => {
      const res = await call("fail");
      expect(res.result).toEqual({
        content: [{ type: "text", text: "kaboom: plugin failure" }],
        isError: true,
      });
    });

    test("an async handler answers when it resolves; an object is structuredContent", async () => {
      expect(textOf(await call("later", { ms: 20 }))).toBe("waited 20 ms");
      const stats = await call("number_stats", { values: [3, -1, 7] });
      expect(stats.result?.structuredContent).toEqual({ min: -1, max: 7 });
      expect(JSON.parse(textOf(stats))).toEqual({ min: -1, max: 7 });
      expect(textOf(await call("named", { who: "ada" }))).toBe("hello ada");
    });

    test("zod from the plugin is the gateway's own instance", async () => {
      const res = await call("zod_identity", { text: "hi" });
      expect(res.result?.structuredContent).toEqual({
        text: "hi",
        stringIsZodType: true,
        schemaIsGatewayZodType: true,
        sameClass: true,
        zodIsGatewayZod: true,
        decoy: false,
      });
      // The plugin's schema (from "zod") validates the call: the gateway parsed with it.
      expect(textOf(await call("zod_identity", { text: "" }))).toContain("text: Too small");
      // Every tool was made by the gateway's own tool(), not by another copy of the module.
      expect(gw.stderrText()).not.toContain("another copy");
    });

    test("while one async handler awaits, other plugin calls and forwarded calls proceed", async () => {
      const held = gw.request("tools/call", { name: "hold", arguments: { tag: "a" } }, 30_000);
      await waitFor(() => existsSync(join(dir.path, "marks", "holding-a")), {
        message: "hold to start",
        timeout: 10_000,
      });
      expect(textOf(await call("later", { ms: 0 }))).toBe("waited 0 ms");
      expect(textOf(await call("_fx_connect"))).toContain("fx_echo");
      expect(textOf(await call("fx_echo", { text: "through" }))).toBe("through");
      let settled = false;
      void held.then(() => {
        settled = true;
      });
      await gw.request("ping");
      expect(settled).toBe(false);
      expect(textOf(await call("release"))).toBe("released 1");
      expect(textOf(await held)).toBe("released a");
    });

    test("a cancelled call aborts the handler's signal and gets no answer", async () => {
      gw.writeLine(
        JSON.stringify({
          jsonrpc: "2.0",
          id: "to-cancel",
          method: "tools/call",
          params: { name: "hold", arguments: { tag: "c" } },
        }),
      );
      const marks = join(dir.path, "marks");
      await waitFor(() => existsSync(join(marks, "holding-c")), { message: "hold c to start" });
      gw.notify("notifications/cancelled", { requestId: "to-cancel", reason: "user stop" });
      await waitFor(() => existsSync(join(marks, "aborted-c")), {
        message: "the handler's signal to abort",
      });
      await gw.request("ping");
      expect(gw.messages.some((m) => m.id === "to-cancel")).toBe(false);
    });
  });

  describe(`plugin load failures through ${kind}`, () => {
    let runner: Runner;
    let dir: TempDir;

    beforeAll(async () => {
      runner = await getRunner();
      dir = tempDir("mcp-gateway-bad-plugins-");
    }, 300_000);
    afterAll(() => dir?.cleanup());

    const cases: [string, string, string, string][] = [
      ["a syntax error", "syntax.ts", SYNTAX_ERROR, "cannot load: syntax error at "],
      ["no tool export", "helpers.ts", NO_TOOLS, "exports no tool"],
      ["a throw at import", "throws.ts", THROWS_AT_IMPORT, "cannot start: missing API key"],
    ];
    for (const [what, file, text, reason] of cases) {
      test(`${what}: exit 2 and one line naming the file and the reason`, async () => {
        const sub = join(dir.path, file.replace(/\W/g, "-"));
        writeFiles(sub, { [file]: text });
        const { code, out, lines } = await failAtStart(
          runner,
          sub,
          writeConfig(sub, [`./${file}`]),
        );
        expect(code).toBe(2);
        expect(out).toBe("");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`plugin ${join(sub, file)}: `);
        expect(lines[0]).toContain(reason);
      });
    }

    test("a missing file: exit 2 naming it", async () => {
      const sub = join(dir.path, "missing");
      mkdirSync(sub);
      const { code, lines } = await failAtStart(runner, sub, writeConfig(sub, ["./nope.ts"]));
      expect(code).toBe(2);
      expect(lines).toEqual([
        `mcp-gateway: plugin ${join(sub, "nope.ts")}: file not found: ${join(sub, "nope.ts")}`,
      ]);
    });

    test("the syntax error's line and column are given", async () => {
      const sub = join(dir.path, "where");
      writeFiles(sub, { "syntax.ts": SYNTAX_ERROR });
      const { lines } = await failAtStart(runner, sub, writeConfig(sub, ["./syntax.ts"]));
      expect(lines[0]).toMatch(new RegExp(`syntax error at ${join(sub, "syntax.ts")}:3:\\d+: `));
    });
  });

  describe(`plugin packages and decoys through ${kind}`, () => {
    let runner: Runner;
    let dir: TempDir;
    let gw: RpcProcess | undefined;

    beforeAll(async () => {
      runner = await getRunner();
      dir = tempDir("mcp-gateway-plugin-pkg-");
    }, 300_000);
    afterAll(async () => {
      if (gw) await killTree(gw.pid);
      dir?.cleanup();
    });

    test("a package name resolves from the config's folder; node_modules never shadow the gateway", async () => {
      writeFiles(dir.path, { ...PACKAGE, ...DECOYS, "zodcheck.ts": ZOD_CHECK });
      const config = writeConfig(dir.path, ["greeter-plugin", "./zodcheck.ts"]);
      gw = await start(runner, dir.path, config);
      const greet = await gw.request("tools/call", { name: "greet", arguments: { who: "bo" } });
      expect(textOf(greet)).toBe("hi bo");
      const zod = await gw.request("tools/call", {
        name: "zod_identity",
        arguments: { text: "x" },
      });
      expect(zod.result?.structuredContent).toMatchObject({
        sameClass: true,
        zodIsGatewayZod: true,
        decoy: false,
      });
    });
  });
}

describe("the shipped build", () => {
  test("scripts/build.ts lets the binary read package.json (plugin packages need it)", async () => {
    const build = await Bun.file(join(ROOT, "scripts/build.ts")).text();
    if (!build.includes("--compile-autoload-package-json"))
      throw new Error(
        "scripts/build.ts must pass --compile-autoload-package-json to bun build --compile: without it the binary ignores package.json at run time, so plugin packages (main/exports) and their dependencies do not resolve",
      );
  });
});

// Inside the binary, src/plugin.ts imported by path is another copy of the module: the gateway
// warns, which is what makes the absence of that warning above mean something.
describe("a tool made by another copy of the module", () => {
  test("is registered with a warning (compiled binary)", async () => {
    const runner = await binaryRunner();
    using dir = tempDir("mcp-gateway-foreign-");
    writeFiles(dir.path, { "foreign.ts": foreignCopy(join(ROOT, "src/plugin.ts")) });
    const gw = await start(runner, dir.path, writeConfig(dir.path, ["./foreign.ts"]));
    try {
      const res = await gw.request("tools/call", { name: "foreign", arguments: {} });
      expect(textOf(res)).toBe("foreign");
      expect(gw.stderrText()).toContain('tool "foreign" was made by another copy of mcp-gateway');
    } finally {
      await killTree(gw.pid);
    }
  }, 300_000);
});
