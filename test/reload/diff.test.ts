// Issue 14, the diff a reload is computed from, and the checks done before anything changes: which
// server is added, removed, relaunched or retuned; what needs a restart; a public bind keeps its tokens.
import { describe, expect, test } from "bun:test";
import { PluginHost } from "../../src/backend/plugin.ts";
import { PluginFiles } from "../../src/backend/plugin-loader.ts";
import { type ConfigInput, ConfigSchema } from "../../src/config/schema.ts";
import { diffConfig, launchKey } from "../../src/reload/diff.ts";
import { prepare, type Running } from "../../src/reload/prepare.ts";
import { Settings } from "../../src/router/settings.ts";

const parse = (c: ConfigInput) => ConfigSchema.parse(c);
const stdio = (extra: object = {}) => ({ command: "srv", args: ["x"], ...extra });

describe("diffConfig", () => {
  test("each kind of server change", () => {
    const running = parse({
      servers: {
        same: stdio(),
        gone: stdio(),
        off: stdio(),
        args: stdio(),
        env: stdio({ env: { A: "1" } }),
        cwd: stdio(),
        url: { url: "https://a.example/mcp" },
        headers: { url: "https://a.example/mcp", headers: { H: "1" } },
        transport: { url: "https://a.example/mcp" },
        prefix: stdio(),
        timeout: stdio(),
        inherits: stdio(),
        back: stdio({ enabled: false }),
      },
    });
    const next = parse({
      call_timeout: 30,
      servers: {
        same: stdio({ call_timeout: 120 }),
        off: stdio({ enabled: false }),
        args: stdio({ args: ["y"] }),
        env: stdio({ env: { A: "2" } }),
        cwd: stdio({ cwd: "/tmp" }),
        url: { url: "https://b.example/mcp" },
        headers: { url: "https://a.example/mcp", headers: { H: "2" } },
        transport: { url: "https://a.example/mcp", transport: "sse" },
        prefix: stdio({ prefix: "p", call_timeout: 120 }),
        timeout: stdio({ idle_timeout: 5, call_timeout: 120 }),
        inherits: stdio(),
        back: stdio(),
        added: stdio(),
      },
    });
    const d = diffConfig(running, next);
    expect(d.added).toEqual(["back", "added"]);
    expect(d.removed).toEqual(["gone", "off"]);
    expect(d.relaunched).toEqual(["args", "env", "cwd", "url", "headers", "transport"]);
    // `inherits` takes the new top-level call_timeout; `same` pins the old one.
    expect(d.retuned).toEqual(["prefix", "timeout", "inherits"]);
    expect(d.reordered).toBe(false);
    expect(d.restartNeeded).toEqual([]);
  });

  test("roles, tokens, plugins, order, and what needs a restart", () => {
    const running = parse({ servers: { a: stdio(), b: stdio() }, roles: { r: null } });
    const next = parse({
      servers: { b: stdio(), a: stdio() },
      roles: { r: ["x"] },
      auth: { tokens: [{ token: "t-123456", role: "r" }] },
      plugins: [{ module: "/p.ts" }],
      http: { max_body_bytes: 10, allowed_hosts: ["h"] },
    });
    expect(diffConfig(running, next)).toMatchObject({
      roles: true,
      auth: true,
      plugins: true,
      reordered: true,
      restartNeeded: ["http.allowed_hosts", "http.max_body_bytes"],
    });
    expect(diffConfig(running, running)).toMatchObject({
      added: [],
      removed: [],
      relaunched: [],
      retuned: [],
      roles: false,
      auth: false,
      plugins: false,
      reordered: false,
      restartNeeded: [],
    });
  });

  test("a top-level block no reload applies (one added to the schema later, say) needs a restart", () => {
    const running = parse({});
    const next = { ...parse({}), future_block: { mode: "on" } } as ReturnType<typeof parse>;
    expect(diffConfig(running, next).restartNeeded).toEqual(["future_block"]);
  });

  test("a launch key ignores what a reload applies in place, and key order", () => {
    const a = parse({ servers: { s: { command: "c", args: ["1"], prefix: "p" } } }).servers.s;
    const b = parse({ servers: { s: { args: ["1"], command: "c", call_timeout: 3 } } }).servers.s;
    if (!a || !b) throw new Error("no server");
    expect(launchKey(a)).toBe(launchKey(b));
  });
});

describe("prepare", () => {
  const run = (config: ConfigInput, binds: Running["binds"]): Running => ({
    startRole: undefined,
    settings: new Settings(parse(config), undefined),
    binds,
    plugins: new PluginHost(),
    pluginFiles: new PluginFiles(),
    registered: [],
    api: {},
  });
  const withTokens = { roles: { r: null }, auth: { tokens: [{ token: "t-123456", role: "r" }] } };

  test("a gateway serving a public address keeps needing tokens", async () => {
    const none = parse({});
    const diff = diffConfig(parse(withTokens), none);
    const bound = run(withTokens, [{ host: "0.0.0.0", insecure: false }]);
    await expect(prepare(bound, none, "/", diff)).rejects.toThrow(/no auth.tokens.*0\.0\.0\.0/);
    const insecure = run(withTokens, [{ host: "0.0.0.0", insecure: true }]);
    await expect(prepare(insecure, none, "/", diff)).resolves.toBeDefined();
    const loopback = run(withTokens, [{ host: "127.0.0.1", insecure: false }]);
    await expect(prepare(loopback, none, "/", diff)).resolves.toBeDefined();
  });

  test("an unchanged role keeps its object, so its cached views stay", async () => {
    const config = parse({ roles: { r: ["a_*"], s: ["b_*"] } });
    const first = new Settings(config, "r");
    const next = new Settings(parse({ roles: { r: ["a_*"], s: ["c_*"] } }), "r", first);
    expect(next.roles.get("r") === first.roles.get("r")).toBe(true);
    expect(next.roles.get("s") === first.roles.get("s")).toBe(false);
    expect(next.startRole === next.roles.get("r")).toBe(true);
  });
});
