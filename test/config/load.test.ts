import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig, parseConfig } from "../../src/config/load.ts";
import { isGatewayError } from "../../src/errors.ts";
import { setLogSink } from "../../src/log.ts";
import { EXPECTED_ERRORS } from "../fixtures/config/expected.ts";

const FIXTURES = resolve(import.meta.dir, "../fixtures/config");
const FILE = "/x/gateway.yaml";

/** The CONFIG error's message; fails the test when anything else happens. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isGatewayError(e) && e.code === "CONFIG" && e.exitCode === 2) return e.message;
    throw e;
  }
  throw new Error("expected a config error");
}

async function loadError(opts: Parameters<typeof loadConfig>[0]): Promise<string> {
  try {
    await loadConfig(opts);
  } catch (e) {
    if (isGatewayError(e) && e.code === "CONFIG") return e.message;
    throw e;
  }
  throw new Error("expected a config error");
}

const yamlError = (text: string, env: Record<string, string> = {}) =>
  messageOf(() => parseConfig(text, FILE, env));

describe("fixture errors are located (file:line:col: key.path: what)", () => {
  for (const [name, expected] of Object.entries(EXPECTED_ERRORS)) {
    test(name, async () => {
      const file = join(FIXTURES, name);
      expect(await loadError({ file, env: {} })).toBe(`${file}:${expected}`);
    });
  }
});

describe("error classes", () => {
  test("unknown key at depth names the allowed keys", () => {
    expect(yamlError("http:\n  allowed_origin: []\n")).toBe(
      `${FILE}:2:3: http.allowed_origin: unknown key "allowed_origin"; expected one of allowed_origins, allowed_hosts, max_body_bytes, session_idle_timeout`,
    );
    expect(yamlError("idle_timout: 5\n")).toStartWith(
      `${FILE}:1:1: idle_timout: unknown key "idle_timout"; expected one of $schema, idle_timeout,`,
    );
  });

  test("wrong types", () => {
    expect(yamlError("servers:\n  fs:\n    command: x\n    args: a b\n")).toBe(
      `${FILE}:4:11: servers.fs.args: expected a list, got a string`,
    );
    expect(yamlError("servers:\n  fs: { command: x, enabled: yes }\n")).toBe(
      `${FILE}:2:30: servers.fs.enabled: expected true or false, got a string`,
    );
    expect(yamlError("roles:\n  ro: fs_*\n")).toBe(
      `${FILE}:2:7: roles.ro: expected a list, got a string`,
    );
    expect(yamlError("call_timeout: -1\n")).toBe(`${FILE}:1:15: call_timeout: must be at least 0`);
    expect(yamlError("plugins:\n  - module: ''\n")).toBe(
      `${FILE}:2:13: plugins[0].module: must not be empty`,
    );
  });

  test("a server that is not a mapping", () => {
    expect(yamlError("servers:\n  fs: npx server\n")).toBe(
      `${FILE}:2:7: servers.fs: expected a mapping with "command" (a stdio server) or "url" (a remote server), got a string`,
    );
  });

  test("union: a server with url is checked as a remote server", () => {
    expect(yamlError("servers:\n  api:\n    url: https://h/mcp\n    command: x\n")).toBe(
      `${FILE}:4:5: servers.api.command: unknown key "command"; expected one of url, headers, transport, oauth, enabled, idle_timeout, call_timeout, start_timeout, prefix, share, max_sessions`,
    );
    expect(yamlError("servers:\n  api:\n    url: not a url\n")).toBe(
      `${FILE}:3:10: servers.api.url: expected a URL such as https://host/mcp`,
    );
  });

  test("union: a server without url is checked as a stdio server", () => {
    expect(yamlError("servers:\n  fs:\n    command: x\n    transport: sse\n")).toStartWith(
      `${FILE}:4:5: servers.fs.transport: unknown key "transport"; expected one of command, args,`,
    );
  });

  test("bad prefix and bad server name", () => {
    expect(yamlError("servers:\n  fs: { command: x, prefix: 'a b' }\n")).toBe(
      `${FILE}:2:29: servers.fs.prefix: letters, digits, '_' and '-' only`,
    );
    expect(yamlError("servers:\n  a.b: { command: x }\n")).toBe(
      `${FILE}:2:3: servers["a.b"]: invalid name "a.b": a server name: letters, digits and '-'`,
    );
  });

  test("unset variable in a list names the index", () => {
    expect(yamlError("servers:\n  fs:\n    command: x\n    args: [a, '${DIR}']\n")).toBe(
      `${FILE}:4:15: servers.fs.args[1]: environment variable DIR is not set (write \${DIR:-default} to give a default)`,
    );
  });

  test("malformed reference", () => {
    expect(yamlError("servers:\n  fs: { command: '${A B}' }\n")).toBe(
      `${FILE}:2:18: servers.fs.command: bad variable reference "\${A B}"; expected \${NAME} or \${NAME:-default}`,
    );
  });

  test("bad YAML", () => {
    expect(yamlError("a: 1\na: 2\n")).toBe(`${FILE}:2:1: invalid YAML: Map keys must be unique`);
    expect(yamlError("- a\n- b\n")).toBe(`${FILE}:1:1: expected a mapping of settings, got a list`);
  });

  test("role reference checked only against defined roles", () => {
    expect(yamlError("auth:\n  tokens:\n    - { token: abcdef, role: admin }\n")).toBe(
      `${FILE}:3:30: auth.tokens[0].role: unknown role "admin"; no roles are defined`,
    );
    // "constructor" is on every object's prototype; it is still not a role.
    expect(
      yamlError("roles: { a: null }\nauth: { tokens: [{ token: abcdef, role: constructor }] }\n"),
    ).toContain('unknown role "constructor"');
  });

  test("the first error in the file is reported", () => {
    expect(yamlError("servers:\n  b: { comand: x }\nidle_timeout: x\n")).toStartWith(
      `${FILE}:2:8: servers.b.comand: unknown key`,
    );
  });

  test("values are never echoed (they may be secrets after expansion)", () => {
    const msg = yamlError("idle_timeout: ${T}\n", { T: "s3cr3t-value" });
    expect(msg).toBe(`${FILE}:1:15: idle_timeout: expected a number, got a string`);
  });
});

describe("JSON files", () => {
  const J = "/x/mcp.json";
  const jsonError = (text: string) => messageOf(() => parseConfig(text, J, {}));

  test("syntax errors are located and explained", () => {
    expect(jsonError('{\n  "servers": {},\n}\n')).toBe(
      `${J}:3:1: invalid JSON: trailing comma before "}"`,
    );
    expect(jsonError('{\n  // note\n  "servers": {}\n}')).toBe(
      `${J}:2:3: invalid JSON: comments are not allowed in JSON`,
    );
    expect(jsonError('{"servers": {')).toBe(
      `${J}:1:14: invalid JSON: unexpected end of file (a missing } or ]?)`,
    );
    expect(jsonError("{'a': 1}")).toBe(`${J}:1:2: invalid JSON: strings must use double quotes`);
  });

  test("the gateway's own shape works as JSON", () => {
    const c = parseConfig('{"servers": {"fs": {"command": "x"}}}', J, {});
    expect(c.servers.fs).toEqual({ command: "x", args: [], env: {}, enabled: true });
    expect(parseConfig("{}", J, {}).servers).toEqual({});
  });

  test("mcpServers: remote-only keys and missing keys", () => {
    expect(
      jsonError('{"mcpServers": {"a": {"type": "http", "url": "https://h/", "args": []}}}'),
    ).toBe(
      `${J}:1:60: mcpServers.a.args: "args" is not allowed for a remote server (one with "url" or type "http")`,
    );
    expect(jsonError('{"mcpServers": {"a": {"type": "sse"}}}')).toBe(
      `${J}:1:17: mcpServers.a: missing required key "url" (type "sse")`,
    );
    expect(jsonError('{"mcpServers": {"a": {"type": "stdio", "command": "x", "url": "u"}}}')).toBe(
      `${J}:1:56: mcpServers.a.url: "url" is not allowed with type "stdio"`,
    );
    expect(jsonError('{"mcpServers": {"a": {"args": []}}}')).toBe(
      `${J}:1:17: mcpServers.a: missing required key "command" (or "url" for a remote server)`,
    );
    expect(jsonError('{"mcpServers": {"a": {"type": "websocket", "url": "u"}}}')).toBe(
      `${J}:1:31: mcpServers.a.type: expected one of "stdio", "http", "streamable-http", "sse"`,
    );
  });

  test("mcpServers: gateway-schema errors point at the file's keys", () => {
    expect(jsonError('{"mcpServers": {"my_x": {"command": "x"}}}')).toBe(
      `${J}:1:17: mcpServers.my_x: invalid name "my_x": a server name: letters, digits and '-'`,
    );
    expect(jsonError('{"mcpServers": {"r": {"url": "nope"}}}')).toBe(
      `${J}:1:30: mcpServers.r.url: expected a URL such as https://host/mcp`,
    );
    expect(jsonError('{"mcpServers": {}, "servers": {}}')).toStartWith(
      `${J}:1:20: servers: unknown key "servers"; expected one of $schema, mcpServers`,
    );
  });

  test("mcpServers conversion", async () => {
    const { config, file, dir } = await loadConfig({
      file: join(FIXTURES, "mcp-servers.json"),
      env: {},
    });
    expect(file).toBe(join(FIXTURES, "mcp-servers.json"));
    expect(dir).toBe(FIXTURES);
    expect(config.servers).toEqual({
      filesystem: {
        command: "npx",
        args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
        env: { TOKEN: "none" },
        enabled: true,
      },
      remote: {
        url: "https://example.com/mcp",
        headers: { "X-Key": "k" },
        transport: "http",
        enabled: true,
      },
      legacy: { url: "https://example.com/sse", headers: {}, transport: "sse", enabled: false },
      cursor: { url: "https://example.com/any", headers: {}, transport: "auto", enabled: true },
    });
  });
});

describe("a full config", () => {
  const env = { API_KEY: "key-1", REMOTE_TOKEN: "tok-2", ADMIN_TOKEN: "adm-3" };

  test("expands, applies defaults and resolves relative paths", async () => {
    const { config, dir } = await loadConfig({ file: join(FIXTURES, "full.yaml"), env });
    expect(dir).toBe(FIXTURES);
    expect(config.idle_timeout).toBe(60);
    expect(config.call_timeout).toBe(120);
    expect(config.start_timeout).toBe(60);
    expect(config.servers.fs).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
      env: { API_KEY: "key-1" },
      cwd: join(FIXTURES, "work"),
      enabled: true,
      prefix: "files",
    });
    expect(config.servers.remote).toEqual({
      url: "https://example.com/mcp",
      headers: { Authorization: "Bearer tok-2" },
      transport: "sse",
      enabled: false,
    });
    expect(config.plugins.map((p) => p.module)).toEqual([
      join(FIXTURES, "tools/calc.ts"),
      "some-package",
      "/abs/tool.js",
    ]);
    expect(config.auth?.tokens).toEqual([{ token: "adm-3", role: "admin" }]);
    expect(config.http.max_body_bytes).toBe(4 * 1024 * 1024);
  });

  test("an empty file is the empty config", () => {
    const c = parseConfig("# nothing yet\n", FILE, {});
    expect(c).toEqual(parseConfig("{}", "/x/g.json", {}));
    expect(c.idle_timeout).toBe(300);
  });
});

describe("discovery", () => {
  const root = mkdtempSync(join(tmpdir(), "gw-discovery-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const dir = (name: string, files: string[]) => {
    const d = join(root, name);
    mkdirSync(d);
    for (const f of files) writeFileSync(join(d, f), `idle_timeout: ${files.indexOf(f) + 1}\n`);
    return d;
  };

  test("flag > env > gateway.yaml > mcp-gateway.yaml", async () => {
    const d = dir("all", ["gateway.yaml", "mcp-gateway.yaml", "env.yaml", "flag.yaml"]);
    const env = { MCP_GATEWAY_CONFIG: "env.yaml" };
    expect((await loadConfig({ cwd: d, env, file: "flag.yaml" })).file).toBe(join(d, "flag.yaml"));
    expect((await loadConfig({ cwd: d, env })).file).toBe(join(d, "env.yaml"));
    expect((await loadConfig({ cwd: d, env: {} })).file).toBe(join(d, "gateway.yaml"));
    const only = dir("only-mcp", ["mcp-gateway.yaml"]);
    const loaded = await loadConfig({ cwd: only, env: {} });
    expect(loaded.file).toBe(join(only, "mcp-gateway.yaml"));
    expect(loaded.dir).toBe(only);
  });

  test("no file: the empty config, one warning", async () => {
    const d = dir("none", []);
    const lines: string[] = [];
    const prev = setLogSink((l) => lines.push(l));
    try {
      const loaded = await loadConfig({ cwd: d, env: {} });
      expect(loaded).toEqual({ config: parseConfig("", FILE, {}), dir: d });
    } finally {
      setLogSink(prev);
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("no config file found");
    expect(lines[0]).toContain("only built-in tools run");
  });

  test("a named file that does not exist is an error", async () => {
    const d = dir("missing", ["gateway.yaml"]);
    expect(await loadError({ cwd: d, env: {}, file: "nope.yaml" })).toBe(
      `${join(d, "nope.yaml")}: config file not found (from --config)`,
    );
    expect(await loadError({ cwd: d, env: { MCP_GATEWAY_CONFIG: "gone.yaml" } })).toBe(
      `${join(d, "gone.yaml")}: config file not found (from MCP_GATEWAY_CONFIG)`,
    );
    expect(await loadError({ cwd: root, env: {}, file: "missing" })).toBe(
      `${join(root, "missing")}: not a file (from --config)`,
    );
  });
});
