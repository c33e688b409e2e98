// Roles: for each visibility rule, what the list shows and what a direct call/get/read does agree;
// hidden answers exactly like unknown. Many roles share one in-process gateway core (one session
// per role over an injected StdioIO); the CLI parts (--role, $MCP_GATEWAY_ROLE, unknown role,
// secrets in status and stderr) run the real command.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { ConfigInput } from "../../src/config/schema.ts";
import { GatewayError } from "../../src/errors.ts";
import { serveStdio } from "../../src/front/stdio.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { expandBraces, Role, resolveRole } from "../../src/router/roles.ts";
import { fixtureCommand } from "../helpers/fixture.ts";
import { MAIN } from "../helpers/paths.ts";
import { killTree } from "../helpers/proc.ts";
import { callTool, connectStdio, Loose, listAll } from "../helpers/sdk.ts";
import { stdioPipe } from "../helpers/stdio-pipe.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

const SECRET = "sk-role-test-secret-4711";

/** An SDK client transport over the StdioIO that serveStdio reads and writes. */
class PipeTransport implements Transport {
  onmessage?: (m: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (e: Error) => void;
  // Off the gateway's write call, so the SDK's handlers never run inside the gateway's send.
  private readonly pipe = stdioPipe<JSONRPCMessage>((m) =>
    queueMicrotask(() => this.onmessage?.(m)),
  );
  readonly io = this.pipe.io;
  private closed = false;

  async start(): Promise<void> {}
  async send(m: JSONRPCMessage): Promise<void> {
    this.pipe.send(m);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pipe.end();
    this.onclose?.();
  }
}

const ROLES: Record<string, string[] | null> = {
  admin: null,
  nothing: [],
  status: ["gateway_status"],
  fxall: ["fx_*", "gateway_status"],
  oall: ["o_*"],
  literal: ["fx_echo"],
  prompt: ["fx_greet"],
  echoes: ["*_echo"],
  negated: ["!fx_crash"],
  braces: ["{gateway_status,o_add}"],
};

let dir: TempDir;
let gw: MCPGateway;
const clients = new Map<string, Client>();
const serving: Promise<void>[] = [];

function config(): ConfigInput {
  return {
    servers: {
      fx: { ...fixtureCommand(), env: { API_TOKEN: SECRET } },
      other: { ...fixtureCommand(), prefix: "o" },
      // Never started: a placeholder for the whole test.
      cold: { ...fixtureCommand(), prefix: "c" },
    },
    roles: ROLES,
  };
}

async function session(role: string | undefined): Promise<Client> {
  const t = new PipeTransport();
  serving.push(serveStdio(gw.router, resolveRole(gw.config, role), t.io));
  const client = new Client({ name: role ?? "all", version: "1" }, { capabilities: {} });
  await client.connect(t);
  return client;
}

beforeAll(async () => {
  dir = tempDir("roles-");
  gw = new MCPGateway({ config: config(), cacheDir: join(dir.path, "cache") });
  await gw.list();
  const admin = await session("admin");
  clients.set("admin", admin);
  // fx and other get real lists; cold stays a placeholder.
  for (const s of ["fx", "other"]) await callTool(admin, `_${s}_connect`);
  for (const role of Object.keys(ROLES))
    if (!clients.has(role)) clients.set(role, await session(role));
});

afterAll(async () => {
  for (const c of clients.values()) await c.close().catch(() => {});
  await gw?.close();
  await Promise.all(serving);
  dir?.cleanup();
});

type Failure = { code?: number; message?: string; data?: unknown };
const failure = (p: Promise<unknown>): Promise<Failure | undefined> =>
  p.then(
    () => undefined,
    (e: Failure) => ({ code: e.code, message: e.message, data: e.data }),
  );
/** The error shape with the asked-for name or URI taken out, so hidden and unknown can be compared. */
const shape = (f: Failure | undefined, asked: string) =>
  f && { code: f.code, message: f.message?.split(asked).join("<x>"), data: f.data && "<data>" };

async function names(c: Client) {
  return {
    tools: (await listAll(c, "tools/list")).map((d) => String(d.name)),
    prompts: (await listAll(c, "prompts/list")).map((d) => String(d.name)),
    resources: (await listAll(c, "resources/list")).map((d) => String(d.uri)),
    templates: (await listAll(c, "resources/templates/list")).map((d) => String(d.uriTemplate)),
  };
}

describe("each role: the list and the direct call agree", () => {
  const everything = async () => names(clients.get("admin") as Client);

  for (const role of Object.keys(ROLES)) {
    test(`role ${role}`, async () => {
      const all = await everything();
      const c = clients.get(role) as Client;
      const seen = await names(c);
      // Tools: listed ⇔ callable; hidden ⇔ same error as a name that never existed.
      const unknownTool = shape(await failure(callTool(c, "no_such_tool_xyz")), "no_such_tool_xyz");
      expect(unknownTool?.code).toBe(-32602);
      for (const name of all.tools) {
        const visible = seen.tools.includes(name);
        // Would end the backend, take long, or start the cold server; the list covers them.
        if (visible && /(_crash|_hang|_slow|_connect)$/.test(name)) continue;
        const args = name.endsWith("_echo")
          ? { text: "x" }
          : name.endsWith("_add")
            ? { a: 1, b: 2 }
            : {};
        const f = await failure(callTool(c, name, args, { timeout: 10_000 }));
        if (visible) expect(f).toBeUndefined();
        else expect(shape(f, name)).toEqual(unknownTool);
      }
      // Prompts, and completion on a prompt, likewise.
      const unknownPrompt = shape(
        await failure(c.request({ method: "prompts/get", params: { name: "nope_p" } }, Loose)),
        "nope_p",
      );
      for (const name of all.prompts) {
        const f = await failure(c.request({ method: "prompts/get", params: { name } }, Loose));
        const g = await failure(
          c.request(
            {
              method: "completion/complete",
              params: { ref: { type: "ref/prompt", name }, argument: { name: "name", value: "a" } },
            },
            Loose,
          ),
        );
        if (seen.prompts.includes(name)) {
          expect(f).toBeUndefined();
          expect(g).toBeUndefined();
        } else {
          expect(shape(f, name)).toEqual(unknownPrompt);
          expect(shape(g, name)).toEqual(unknownPrompt);
        }
      }
      // Resources: readable exactly when listed (listed resources, and URIs of listed templates).
      const unknownUri = shape(
        await failure(c.request({ method: "resources/read", params: { uri: "nope://x" } }, Loose)),
        "nope://x",
      );
      expect(unknownUri?.code).toBe(-32002);
      const reads = [...all.resources, "fixture://item/7"];
      for (const uri of reads) {
        const f = await failure(c.request({ method: "resources/read", params: { uri } }, Loose));
        const visible =
          seen.resources.includes(uri) ||
          (uri.startsWith("fixture://item/") && seen.templates.includes("fixture://item/{id}"));
        if (visible) expect(f).toBeUndefined();
        else expect(shape(f, uri)).toEqual(unknownUri);
      }
    });
  }

  test("what each role sees: placeholders and resources exactly when their server is", async () => {
    const seen = async (role: string) => names(clients.get(role) as Client);
    const fx = (s: string) => s.startsWith("fx_");
    const admin = await seen("admin");
    expect(admin.tools).toContain("_cold_connect");
    // One URI, two servers: the first keeps it, the other's copy is exposed under its alias.
    expect(admin.resources).toEqual(["fixture://static", "fixture://other@static"]);
    expect(await seen("nothing")).toEqual({ tools: [], prompts: [], resources: [], templates: [] });
    expect(await seen("status")).toEqual({
      tools: ["gateway_status"],
      prompts: [],
      resources: [],
      templates: [],
    });
    const fxall = await seen("fxall");
    expect(fxall.tools).toEqual(["gateway_status", ...admin.tools.filter(fx)]);
    expect(fxall.prompts).toEqual(["fx_greet"]);
    expect(fxall.resources).toEqual(["fixture://static"]);
    // The other server lists the same URIs: a role that sees only it gets its own, aliased.
    expect(await seen("oall")).toMatchObject({
      prompts: ["o_greet"],
      resources: ["fixture://other@static"],
      templates: ["fixture://other@item/{id}"],
    });
    expect(await seen("literal")).toEqual({
      tools: ["fx_echo"],
      prompts: [],
      resources: ["fixture://static"],
      templates: ["fixture://item/{id}"],
    });
    expect((await seen("prompt")).tools).toEqual([]);
    expect((await seen("prompt")).prompts).toEqual(["fx_greet"]);
    const echoes = await seen("echoes");
    // "*_echo" could match a name of every server, so every placeholder is visible.
    expect(echoes.tools.sort()).toEqual(["_cold_connect", "fx_echo", "o_echo"]);
    const negated = await seen("negated");
    expect(negated.tools).not.toContain("fx_crash");
    expect(negated.tools).toContain("o_crash");
    expect(negated.tools).toContain("_cold_connect");
    // Braces name exactly two tools: only the "other" server (of "o_add") is visible.
    expect(await seen("braces")).toEqual({
      tools: ["gateway_status", "o_add"],
      prompts: [],
      resources: ["fixture://other@static"],
      templates: ["fixture://other@item/{id}"],
    });
  });

  test("gateway_status shows only the servers the role sees, and never a secret", async () => {
    const status = async (role: string) => {
      const r = await callTool(clients.get(role) as Client, "gateway_status");
      return r.structuredContent as { role: string | null; servers: { name: string }[] };
    };
    const s = await status("status");
    expect(s.role).toBe("status");
    expect(s.servers).toEqual([]);
    expect((await status("fxall")).servers.map((x) => x.name)).toEqual(["fx"]);
    expect((await status("admin")).servers.map((x) => x.name)).toEqual(["fx", "other", "cold"]);
    const whole = await callTool(clients.get("admin") as Client, "gateway_status");
    expect(JSON.stringify(whole)).not.toContain(SECRET);
  });
});

describe("role selection on the command line", () => {
  const write = (name: string, body: object) => {
    const file = join(dir.path, name);
    writeFileSync(file, JSON.stringify(body));
    return file;
  };
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const proc = Bun.spawn([process.execPath, MAIN, ...args], {
      env: { ...process.env, XDG_CACHE_HOME: dir.path, ...env },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    proc.stdin.end();
    const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    const [code, out, err] = await Promise.all([
      proc.exited,
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    clearTimeout(timer);
    return { code, out, err };
  };

  test("--role wins over $MCP_GATEWAY_ROLE, which applies without it", async () => {
    const file = write("cli-roles.yaml", { roles: { a: ["gateway_status"], b: ["nothing_*"] } });
    const start = (args: string[], env: Record<string, string>) =>
      connectStdio(process.execPath, [MAIN, "stdio", "--config", file, ...args], {
        env: { XDG_CACHE_HOME: dir.path, ...env },
      });
    for (const [args, env, expected] of [
      [["--role", "b"], { MCP_GATEWAY_ROLE: "a" }, []],
      [[], { MCP_GATEWAY_ROLE: "a" }, ["gateway_status"]],
      [["--role", "a"], { MCP_GATEWAY_ROLE: "b" }, ["gateway_status"]],
    ] as const) {
      const c = await start([...args], env);
      try {
        expect((await listAll(c.client, "tools/list")).map((d) => d.name)).toEqual([...expected]);
      } finally {
        await c.close().catch(() => {});
        await killTree(c.pid);
      }
    }
  });

  test("an unknown role is an error at start: exit 2, one line naming it", async () => {
    const file = write("cli-unknown.yaml", { roles: { a: null } });
    for (const [args, env] of [
      [["--role", "ghost"], {}],
      [[], { MCP_GATEWAY_ROLE: "ghost" }],
    ] as const) {
      const r = await run(["stdio", "--config", file, ...args], env);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toContain('unknown role "ghost"');
      expect(r.err.trim().split("\n").length).toBe(1);
    }
  });

  test("a secret in a server's env never reaches status or stderr, even when the backend prints it", async () => {
    const { command, args } = fixtureCommand();
    const leak = `echo "my token is $API_TOKEN" >&2`;
    const file = write("cli-secret.yaml", {
      servers: {
        chatty: {
          command: "sh",
          args: ["-c", `${leak}; exec "$0" "$@"`, command, ...args],
          env: { API_TOKEN: SECRET },
        },
        broken: { command: "sh", args: ["-c", `${leak}; exit 3`], env: { API_TOKEN: SECRET } },
      },
    });
    const c = await connectStdio(process.execPath, [MAIN, "stdio", "--config", file], {
      env: { XDG_CACHE_HOME: join(dir.path, "secret-cache") },
    });
    try {
      expect((await callTool(c.client, "_chatty_connect")).isError).toBeUndefined();
      const broken = await callTool(c.client, "_broken_connect");
      expect(broken.isError).toBe(true);
      const status = await callTool(c.client, "gateway_status");
      const text = JSON.stringify(status) + JSON.stringify(broken);
      expect(text).toContain("broken");
      expect(text).not.toContain(SECRET);
      expect(c.stderrText()).toContain("my token is ***");
      expect(c.stderrText()).not.toContain(SECRET);
    } finally {
      await c.close().catch(() => {});
      await killTree(c.pid);
    }
  });
});

describe("Role (unit)", () => {
  test("brace alternatives are judged one by one; other globs generously", () => {
    expect(expandBraces("{a,b{c,d}}_x")).toEqual(["a_x", "bc_x", "bd_x"]);
    expect(expandBraces("fx_{1..3}")).toEqual(["fx_{1..3}"]);
    expect(expandBraces("{a,b")).toEqual(["{a,b"]);
    const r = new Role("r", ["{gateway_status,fs_read}"]);
    expect(r.seesServer("fs", [])).toBe(true);
    expect(r.seesServer("git", [])).toBe(false);
    expect(r.allows("fs_read")).toBe(true);
    expect(r.allows("fs_write")).toBe(false);
    expect(new Role("n", ["!fs_*"]).seesServer("git", [])).toBe(true);
    expect(new Role("g", ["f*"]).seesServer("fs", [])).toBe(true);
    expect(new Role("g", ["g*"]).seesServer("fs", [])).toBe(false);
    expect(new Role("l", ["fs_read"]).seesServer("fs", [])).toBe(true);
    expect(new Role("l", ["fsx_read"]).seesServer("fs", [])).toBe(false);
  });

  test("an unknown role is a GatewayError when the gateway is made", () => {
    const make = () => new MCPGateway({ config: { roles: { a: null } }, role: "ghost" });
    expect(make).toThrow(GatewayError);
    expect(make).toThrow('unknown role "ghost"; roles in the config: a');
  });
});
