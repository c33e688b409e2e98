/**
 * tool(), result conversion and the plugin host, in process: an MCPGateway served over
 * injected stdio streams, so every call takes the real session → router → host path.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { toResult } from "../../src/backend/plugin.ts";
import { GatewayError } from "../../src/errors.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { setLogSink } from "../../src/log.ts";
import { tool, z } from "../../src/plugin.ts";
import { textOf, toolNames } from "../helpers/results.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";
import { connect, type InProcessClient } from "./in-process.ts";
import { writeFiles } from "./project.ts";

const open: InProcessClient[] = [];
const dirs: TempDir[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.end();
  for (const d of dirs.splice(0)) d.cleanup();
});

function scratch(): TempDir {
  const d = tempDir("mcp-gateway-host-");
  dirs.push(d);
  return d;
}

function gateway(config: object = {}, configDir?: string): MCPGateway {
  return new MCPGateway({ config, configDir, cacheDir: join(scratch().path, "cache") });
}

async function client(gw: MCPGateway): Promise<InProcessClient> {
  const c = await connect(gw);
  open.push(c);
  return c;
}

describe("toResult", () => {
  test("strings, numbers, booleans and bigints become text", () => {
    expect(toResult("hi")).toEqual({ content: [{ type: "text", text: "hi" }] });
    expect(toResult(4)).toEqual({ content: [{ type: "text", text: "4" }] });
    expect(toResult(false)).toEqual({ content: [{ type: "text", text: "false" }] });
    expect(toResult(10n)).toEqual({ content: [{ type: "text", text: "10" }] });
  });

  test("a plain object is structuredContent plus its JSON as text", () => {
    expect(toResult({ sum: 3 })).toEqual({
      content: [{ type: "text", text: '{"sum":3}' }],
      structuredContent: { sum: 3 },
    });
  });

  test("a full CallToolResult passes as is; arrays, dates and nothing are not structured", () => {
    const full = {
      content: [{ type: "image", data: "AA==", mimeType: "image/png" }],
      isError: true,
    };
    expect(toResult(full)).toBe(full);
    expect(toResult([1, 2])).toEqual({ content: [{ type: "text", text: "[1,2]" }] });
    const date = new Date(0);
    expect(toResult(date)).toEqual({ content: [{ type: "text", text: JSON.stringify(date) }] });
    expect(toResult(undefined)).toEqual({ content: [] });
  });
});

describe("tool()", () => {
  test("inputSchema comes from the zod shape (optional, default, describe)", () => {
    const t = tool(
      {
        description: "d",
        input: {
          q: z.string().describe("What to look for"),
          limit: z.number().int().default(10),
          exact: z.boolean().optional(),
        },
      },
      () => "",
    );
    expect(t.inputSchema).toEqual({
      type: "object",
      properties: {
        q: { type: "string", description: "What to look for" },
        limit: {
          type: "integer",
          default: 10,
          minimum: Number.MIN_SAFE_INTEGER,
          maximum: Number.MAX_SAFE_INTEGER,
        },
        exact: { type: "boolean" },
      },
      required: ["q"],
    });
    expect(tool({ description: "no input" }, () => "").inputSchema).toEqual({
      type: "object",
      properties: {},
    });
  });

  test("parse names the field and the reason", () => {
    const t = tool(
      { description: "d", input: { a: z.number(), o: z.object({ n: z.string().min(2) }) } },
      () => "",
    );
    const err = (args: unknown) => {
      const r = t.parse(args);
      return r.ok ? "" : r.error;
    };
    expect(err({ o: { n: "xy" } })).toBe("a: required (expected number)");
    expect(err({ a: "1", o: { n: "xy" } })).toBe(
      "a: Invalid input: expected number, received string",
    );
    expect(err({ a: 1, o: { n: "x" } })).toContain("o.n: Too small");
    expect(err([1])).toContain("(arguments): Invalid input: expected object, received array");
    expect(t.parse({ a: 1, o: { n: "xy" }, extra: true })).toEqual({
      ok: true,
      value: { a: 1, o: { n: "xy" } },
    });
  });
});

describe("registerTool", () => {
  test("both forms register; the function form gets its schema from input", async () => {
    const gw = gateway();
    gw.registerTool(
      tool({ name: "twice", description: "Double", input: { n: z.number() } }, ({ n }) => n * 2),
    );
    gw.registerTool(({ s }) => s.toUpperCase(), {
      name: "upper",
      description: "Upper-case",
      input: { s: z.string() },
    });
    gw.registerTool(
      tool({ description: "Unnamed" }, () => "ok"),
      "given_name",
    );
    const c = await client(gw);
    expect(toolNames(await c.request("tools/list"))).toEqual(
      expect.arrayContaining(["twice", "upper", "given_name"]),
    );
    expect(textOf(await c.call("twice", { n: 21 }))).toBe("42");
    expect(textOf(await c.call("upper", { s: "abc" }))).toBe("ABC");
    expect(textOf(await c.call("upper", { s: 1 }))).toContain("s: Invalid input: expected string");
  });

  test("a taken, missing or invalid name is an error, never an overwrite", () => {
    const gw = gateway();
    const t = tool({ name: "one", description: "d" }, () => "");
    gw.registerTool(t);
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof GatewayError ? `${e.code}: ${e.message}` : String(e);
      }
      return "no error";
    };
    expect(code(() => gw.registerTool(t))).toContain(
      'PLUGIN: registerTool: a tool named "one" exists',
    );
    expect(code(() => gw.registerTool(tool({ description: "d" }, () => "")))).toContain(
      "needs a name",
    );
    expect(code(() => gw.registerTool(t, "has space"))).toContain("not a valid tool name");
  });
});

describe("calls", () => {
  test("output is checked against the output shape", async () => {
    const gw = gateway();
    const output = { total: z.number() };
    gw.registerTool(tool({ name: "good", description: "d", output }, () => ({ total: 1 })));
    gw.registerTool(
      tool(
        { name: "bad", description: "d", output },
        () => ({ total: "1" }) as unknown as { total: number },
      ),
    );
    gw.registerTool(
      tool({ name: "text", description: "d", output }, () => "x" as unknown as { total: number }),
    );
    const c = await client(gw);
    expect((await c.call("good")).result?.structuredContent).toEqual({ total: 1 });
    const bad = await c.call("bad");
    expect(bad.result?.isError).toBe(true);
    expect(textOf(bad)).toBe(
      "Tool bad returned output that does not match its outputSchema: total: Invalid input: expected number, received string",
    );
    expect(textOf(await c.call("text"))).toContain("no structured content");
  });

  test("throws, rejections and thenables", async () => {
    const gw = gateway();
    gw.registerTool(
      tool({ name: "throws_string", description: "d" }, () => {
        throw "plain string";
      }),
    );
    gw.registerTool(
      tool({ name: "rejects", description: "d" }, async () => {
        await Promise.resolve();
        throw new Error("async failure");
      }),
    );
    gw.registerTool(
      tool({ name: "thenable", description: "d" }, () => ({
        // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise, on purpose
        then: (ok: (v: string) => void) => ok("from a thenable"),
      })),
    );
    const c = await client(gw);
    expect((await c.call("throws_string")).result).toEqual({
      content: [{ type: "text", text: "plain string" }],
      isError: true,
    });
    expect(textOf(await c.call("rejects"))).toBe("async failure");
    expect(textOf(await c.call("thenable"))).toBe("from a thenable");
  });

  test("a client's cancel aborts the handler's signal; no answer is sent", async () => {
    const gw = gateway();
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    let reason: unknown;
    const aborted = new Promise<void>((resolve) => {
      gw.registerTool(
        tool({ name: "wait", description: "d" }, (_args, { signal }) => {
          signal.addEventListener("abort", () => {
            reason = signal.reason;
            resolve();
          });
          started();
          return new Promise(() => {});
        }),
      );
    });
    const c = await client(gw);
    void c.request("tools/call", { name: "wait", arguments: {} }, "w1").catch(() => {});
    await running;
    c.notify("notifications/cancelled", { requestId: "w1" });
    await aborted;
    expect(String(reason)).toContain("cancelled");
    await c.request("ping");
    expect(c.seen.some((m) => m.id === "w1")).toBe(false);
  });

  // The documented limit (README: Plugins): a synchronous handler runs to its end before the
  // gateway reads the next message, while an awaiting one lets later requests through.
  test("a sync handler holds the event loop until it returns; an async one does not", async () => {
    const gw = gateway();
    let release!: () => void;
    gw.registerTool(
      tool({ name: "spin", description: "CPU-bound", input: { n: z.number() } }, ({ n }) => {
        let x = 0;
        for (let i = 0; i < n; i++) x += i % 7;
        return x;
      }),
    );
    gw.registerTool(
      tool({ name: "await", description: "I/O-bound" }, async () => {
        await new Promise<void>((r) => {
          release = r;
        });
        return "done";
      }),
    );
    const c = await client(gw);
    const order = (ids: (string | number)[]) =>
      c.seen.filter((m) => ids.includes(m.id ?? "")).map((m) => m.id);

    await Promise.all([
      c.request("tools/call", { name: "spin", arguments: { n: 2_000_000 } }, "spin"),
      c.request("ping", {}, "ping-1"),
    ]);
    expect(order(["spin", "ping-1"])).toEqual(["spin", "ping-1"]);

    const slow = c.request("tools/call", { name: "await", arguments: {} }, "await");
    await c.request("ping", {}, "ping-2");
    release();
    await slow;
    expect(order(["await", "ping-2"])).toEqual(["ping-2", "await"]);
  });
});

describe("plugin modules (in process)", () => {
  test("a name taken by an earlier module is kept; the later one is dropped with a warning", async () => {
    const d = scratch();
    writeFiles(d.path, {
      "a.ts": `import { tool } from "mcp-gateway";\nexport const same = tool({ description: "from a" }, () => "a");\n`,
      "b.ts": `import { tool } from "mcp-gateway";\nexport const same = tool({ description: "from b" }, () => "b");\nexport const $odd = tool({ description: "odd name" }, () => "odd");\n`,
    });
    const lines: string[] = [];
    const prev = setLogSink((l) => lines.push(l));
    try {
      const gw = gateway({ plugins: [{ module: "./a.ts" }, { module: "./b.ts" }] }, d.path);
      const c = await client(gw);
      expect(textOf(await c.call("same"))).toBe("a");
      const names = toolNames(await c.request("tools/list"));
      const odd = names.find((n) => n.startsWith("_odd_"));
      expect(odd).toBeDefined();
      expect(textOf(await c.call(odd ?? ""))).toBe("odd");
    } finally {
      setLogSink(prev);
    }
    expect(lines.join("\n")).toContain(
      'tool "same" is already defined by ./a.ts; this one is dropped',
    );
    expect(lines.join("\n")).toContain('tool name "$odd" is not valid for clients');
  });

  test("fromConfig rejects with a PLUGIN error naming the module", async () => {
    const d = scratch();
    writeFiles(d.path, { "gateway.yaml": "plugins:\n  - module: no-such-plugin-package\n" });
    const failed = await MCPGateway.fromConfig(join(d.path, "gateway.yaml"), {
      cacheDir: join(d.path, "cache"),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(GatewayError);
    expect((failed as GatewayError).code).toBe("PLUGIN");
    expect((failed as GatewayError).message).toContain(
      `plugin no-such-plugin-package: cannot resolve package "no-such-plugin-package" from ${d.path}`,
    );
  });
});
