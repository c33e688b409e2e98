// The HTTP fetch handler in-process (no socket): routing, Host/Origin checks, bearer tokens,
// body limit, session lifecycle. Backends are not needed; the gateway has built-in tools only.
import { afterEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { type ConfigInput, ConfigSchema } from "../../src/config/schema.ts";
import { GatewayError } from "../../src/errors.ts";
import { createHttpHandler, type HttpHandler } from "../../src/front/http.ts";
import { assertSafeBind, TokenAuth } from "../../src/front/security.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { principalLabel, Settings } from "../../src/router/settings.ts";
import { fixtureCommand } from "../helpers/fixture.ts";
import { waitFor } from "../helpers/proc.ts";
import { tempDir } from "../helpers/tmp.ts";

const BASE = "http://127.0.0.1:8765";
const ADMIN = "admin-secret-token-1234";
const READER = "reader-secret-token-5678";
const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-11-25",
    capabilities: {},
    clientInfo: { name: "t", version: "1" },
  },
};
const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

const open: { gw: MCPGateway; handler: HttpHandler; dir: { cleanup(): void } }[] = [];

function setup(config: ConfigInput = {}) {
  const dir = tempDir("mcp-gateway-http-unit-");
  const gw = new MCPGateway({ config, cacheDir: dir.path });
  const handler = createHttpHandler({ router: gw.router, config: gw.config, role: gw.role });
  open.push({ gw, handler, dir });
  return { gw, handler };
}

afterEach(async () => {
  for (const { gw, handler, dir } of open.splice(0)) {
    await handler.close(0);
    await gw.close();
    dir.cleanup();
  }
});

const tokens: ConfigInput = {
  roles: { admin: null, reader: ["gateway_*"] },
  auth: {
    tokens: [
      { token: ADMIN, role: "admin" },
      { token: READER, role: "reader" },
    ],
  },
};

function post(body: unknown, headers: Record<string, string> = {}, path = "/mcp"): Request {
  return new Request(`${BASE}${path}`, {
    method: "POST",
    headers: { ...MCP_HEADERS, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/**
 * The JSON-RPC messages of a POST's answer: a JSON body, or an SSE body (the stream ends
 * once every response is written). The spec lets the server pick either.
 */
async function messages(res: Response): Promise<Record<string, unknown>[]> {
  const text = await res.text();
  if (res.headers.get("content-type")?.includes("application/json")) {
    const v = JSON.parse(text) as Record<string, unknown> | Record<string, unknown>[];
    return Array.isArray(v) ? v : [v];
  }
  return text
    .split("\n")
    .filter((l) => l.startsWith("data: ") && l.length > 6)
    .map((l) => JSON.parse(l.slice(6)));
}

async function initialize(handler: HttpHandler, headers: Record<string, string> = {}) {
  const res = await handler.fetch(post(INIT, headers));
  expect(res.status).toBe(200);
  const sid = res.headers.get("mcp-session-id");
  expect(sid).toBeTruthy();
  const [reply] = await messages(res);
  expect(reply?.result).toMatchObject({ protocolVersion: "2025-11-25" });
  return sid ?? "";
}

describe("routes", () => {
  test("/healthz answers 200 while serving, 503 once closing; unknown paths 404", async () => {
    const { handler } = setup();
    expect((await handler.fetch(new Request(`${BASE}/healthz`))).status).toBe(200);
    expect((await handler.fetch(new Request(`${BASE}/nope`))).status).toBe(404);
    await handler.close(0);
    expect((await handler.fetch(new Request(`${BASE}/healthz`))).status).toBe(503);
    expect((await handler.fetch(post(INIT))).status).toBe(503);
  });

  test("/status is the gateway status as the caller's role sees it", async () => {
    const { handler } = setup(tokens);
    const res = await handler.fetch(
      new Request(`${BASE}/status`, { headers: { authorization: `Bearer ${READER}` } }),
    );
    expect(res.status).toBe(200);
    const status = (await res.json()) as { role: string; gateway: { sessions: number } };
    expect(status.role).toBe("reader");
    expect(status.gateway.sessions).toBe(0);
    expect((await handler.fetch(new Request(`${BASE}/status`))).status).toBe(401);
  });
});

describe("Host and Origin (DNS rebinding)", () => {
  test("a foreign Host or Origin gets 403; loopback ones pass", async () => {
    const { handler } = setup();
    const evilHost = await handler.fetch(post(INIT, { host: "evil.example.com" }));
    expect(evilHost.status).toBe(403);
    expect(await evilHost.json()).toMatchObject({
      error: { message: expect.stringContaining("Host") },
    });
    const evilOrigin = await handler.fetch(post(INIT, { origin: "http://evil.example.com" }));
    expect(evilOrigin.status).toBe(403);
    expect((await handler.fetch(post(INIT, { origin: "null" }))).status).toBe(403);
    expect((await handler.fetch(post(INIT, { host: "localhost:8765" }))).status).toBe(200);
    expect((await handler.fetch(post(INIT, { origin: "http://localhost:3000" }))).status).toBe(200);
    expect((await handler.fetch(post(INIT, { host: "[::1]:8765" }))).status).toBe(200);
  });

  test("allowed_hosts and allowed_origins extend the loopback defaults", async () => {
    const { handler } = setup({
      http: { allowed_hosts: ["gw.example.com"], allowed_origins: ["https://app.example.com"] },
    });
    const ok = post(INIT, { host: "gw.example.com:8765", origin: "https://app.example.com" });
    expect((await handler.fetch(ok)).status).toBe(200);
    expect((await handler.fetch(post(INIT, { origin: "https://other.example.com" }))).status).toBe(
      403,
    );
    expect((await handler.fetch(post(INIT, { host: "other.example.com" }))).status).toBe(403);
  });
});

describe("bearer tokens", () => {
  test("no token or a wrong one gets 401 with WWW-Authenticate, and no secret in the reply", async () => {
    const { handler } = setup(tokens);
    const missing = await handler.fetch(post(INIT));
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="mcp-gateway"');
    const wrong = await handler.fetch(post(INIT, { authorization: `Bearer ${ADMIN}x` }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const body = await wrong.text();
    expect(body).not.toContain(ADMIN);
    expect(body).not.toContain(READER);
    const sse = await handler.fetch(new Request(`${BASE}/sse`));
    expect(sse.status).toBe(401);
  });

  test("the token decides the role, and a session is bound to its token", async () => {
    const { handler, gw } = setup(tokens);
    const sid = await initialize(handler, { authorization: `Bearer ${READER}` });
    const [session] = gw.router.sessions;
    expect(session?.role.name).toBe("reader");
    const list = { jsonrpc: "2.0", id: 2, method: "tools/list" };
    const headers = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
    const stolen = await handler.fetch(
      post(list, { ...headers, authorization: `Bearer ${ADMIN}` }),
    );
    expect(stolen.status).toBe(403);
    const own = await handler.fetch(post(list, { ...headers, authorization: `Bearer ${READER}` }));
    expect(own.status).toBe(200);
    const [reply] = await messages(own);
    expect(reply?.result).toMatchObject({ tools: [{ name: "gateway_status" }] });
  });

  test("tokens are compared whole", () => {
    const settings = new Settings(ConfigSchema.parse(tokens), undefined);
    const auth = new TokenAuth(() => settings);
    const as = (value: string) =>
      auth.authenticate(new Request(BASE, { headers: { authorization: value } }));
    const admin = as(`Bearer ${ADMIN}`);
    const reader = as(`bearer ${READER}`);
    expect(admin).toMatchObject({ id: principalLabel(ADMIN), role: { name: "admin" } });
    expect(reader).toMatchObject({ id: principalLabel(READER), role: { name: "reader" } });
    for (const bad of [ADMIN, `Bearer ${ADMIN.slice(0, -1)}`, `Bearer ${ADMIN} extra`, "Bearer "])
      expect(as(bad)).toBeInstanceOf(Response);
  });

  test("a principal id is the token's label: the same whatever the token's place, never the token", () => {
    const config = ConfigSchema.parse(tokens);
    const reordered = ConfigSchema.parse({
      ...tokens,
      auth: { tokens: [...(tokens.auth?.tokens ?? [])].reverse() },
    });
    const idOf = (c: typeof config, token: string) =>
      new Settings(c, undefined).tokens.find((t) => t.id === principalLabel(token))?.role.name;
    expect(idOf(config, ADMIN)).toBe("admin");
    expect(idOf(reordered, ADMIN)).toBe("admin");
    expect(idOf(reordered, READER)).toBe("reader");
    for (const token of [ADMIN, READER]) {
      const label = principalLabel(token);
      expect(label).not.toContain(token);
      expect(label).not.toContain(createHash("sha256").update(token).digest("hex").slice(0, 8));
    }
    expect(principalLabel(ADMIN)).not.toBe(principalLabel(READER));
  });
});

describe("binding", () => {
  test("a non-loopback address needs tokens or insecure", () => {
    const noTokens = new Settings(ConfigSchema.parse({}), undefined);
    const withTokens = new Settings(ConfigSchema.parse(tokens), undefined);
    const none = new TokenAuth(() => noTokens);
    const some = new TokenAuth(() => withTokens);
    expect(() => assertSafeBind("0.0.0.0", none, false)).toThrow(GatewayError);
    expect(() => assertSafeBind("192.168.1.20", none, false)).toThrow(/--insecure/);
    expect(() => assertSafeBind("0.0.0.0", none, true)).not.toThrow();
    expect(() => assertSafeBind("0.0.0.0", some, false)).not.toThrow();
    expect(() => assertSafeBind("127.0.0.1", none, false)).not.toThrow();
    expect(() => assertSafeBind("localhost", none, false)).not.toThrow();
  });

  test("serveHttp refuses 0.0.0.0 without tokens", async () => {
    const dir = tempDir();
    const gw = new MCPGateway({ cacheDir: dir.path });
    try {
      await expect(gw.serveHttp({ host: "0.0.0.0", port: 0 })).rejects.toThrow(/auth\.tokens/);
    } finally {
      await gw.close();
      dir.cleanup();
    }
  });
});

describe("request bodies", () => {
  test("a body over max_body_bytes gets 413 with a JSON-RPC error naming the limit", async () => {
    const { handler } = setup({ http: { max_body_bytes: 1024 } });
    const big = { ...INIT, params: { ...INIT.params, pad: "x".repeat(2000) } };
    const res = await handler.fetch(post(big));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      jsonrpc: "2.0",
      error: { message: expect.stringContaining("1024-byte limit") },
    });
    // Streamed without Content-Length: counted while reading.
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode("x".repeat(400)));
        c.close();
      },
    });
    const streamed = new Request(`${BASE}/messages?sessionId=x`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: chunks,
    });
    expect((await handler.fetch(streamed)).status).toBe(404);
    const sse = await handler.fetch(new Request(`${BASE}/sse`));
    const reader = sse.body?.getReader();
    const first = new TextDecoder().decode((await reader?.read())?.value);
    const endpoint = /data: (\S+)/.exec(first)?.[1] ?? "";
    const overSse = new Request(`${BASE}${endpoint}`, {
      method: "POST",
      headers: MCP_HEADERS,
      body: new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode("x".repeat(400)));
          c.close();
        },
      }),
    });
    expect((await handler.fetch(overSse)).status).toBe(413);
    await reader?.cancel();
  });

  test("a body that is not JSON gets 400 with a parse error", async () => {
    const { handler } = setup();
    const res = await handler.fetch(post("{not json"));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: -32700 } });
  });
});

describe("sessions", () => {
  test("requests need a known session; DELETE ends it", async () => {
    const { handler, gw } = setup();
    const list = { jsonrpc: "2.0", id: 2, method: "tools/list" };
    expect((await handler.fetch(post(list))).status).toBe(400);
    expect((await handler.fetch(post(list, { "mcp-session-id": "nope" }))).status).toBe(404);
    const sid = await initialize(handler);
    expect(gw.router.sessions.size).toBe(1);
    expect(handler.sessionCount).toBe(1);
    const del = new Request(`${BASE}/mcp`, {
      method: "DELETE",
      headers: { "mcp-session-id": sid },
    });
    expect((await handler.fetch(del)).status).toBe(200);
    expect(gw.router.sessions.size).toBe(0);
    expect(handler.sessionCount).toBe(0);
    expect((await handler.fetch(post(list, { "mcp-session-id": sid }))).status).toBe(404);
  });

  test("an initialize the transport refuses leaves no session behind", async () => {
    const { handler, gw } = setup();
    const res = await handler.fetch(post(INIT, { accept: "application/json" }));
    expect(res.status).toBe(406);
    expect(gw.router.sessions.size).toBe(0);
    expect(handler.sessionCount).toBe(0);
  });

  test("a session unused for session_idle_timeout is closed", async () => {
    const { handler, gw } = setup({ http: { session_idle_timeout: 0.3 } });
    await initialize(handler);
    expect(gw.router.sessions.size).toBe(1);
    await waitFor(() => gw.router.sessions.size === 0 && handler.sessionCount === 0, {
      timeout: 5000,
      message: "the idle session to close",
    });
  });

  test("closing the stream of a legacy SSE session closes the session", async () => {
    const { handler, gw } = setup();
    const res = await handler.fetch(new Request(`${BASE}/sse`));
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body?.getReader();
    const first = new TextDecoder().decode((await reader?.read())?.value);
    expect(first).toMatch(/^event: endpoint\ndata: \/messages\?sessionId=[0-9a-f-]{36}\n\n$/);
    expect(gw.router.sessions.size).toBe(1);
    await reader?.cancel();
    expect(gw.router.sessions.size).toBe(0);
    expect(handler.sessionCount).toBe(0);
  });
});

describe("answers to a POSTed request", () => {
  test("JSON when the answer comes first; a stream when the client lists SSE first", async () => {
    const { handler } = setup();
    const sid = await initialize(handler);
    const session = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
    const call = {
      jsonrpc: "2.0",
      id: 7,
      method: "tools/call",
      params: { name: "gateway_status" },
    };
    const plain = await handler.fetch(post(call, session));
    expect(plain.headers.get("content-type")).toContain("application/json");
    const [answer] = await messages(plain);
    expect(answer).toMatchObject({ id: 7, result: { structuredContent: { role: null } } });
    const streamFirst = { ...session, accept: "text/event-stream, application/json" };
    const streamed = await handler.fetch(post({ ...call, id: 8 }, streamFirst));
    expect(streamed.headers.get("content-type")).toContain("text/event-stream");
    expect(await messages(streamed)).toContainEqual(expect.objectContaining({ id: 8 }));
  });

  test("a stream as soon as a related message (progress) comes before the answer", async () => {
    const { handler } = setup({ servers: { fx: fixtureCommand() } });
    const sid = await initialize(handler);
    const session = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
    const connect = {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "_fx_connect" },
    };
    await (await handler.fetch(post(connect, session))).text();
    const slow = {
      jsonrpc: "2.0",
      id: 9,
      method: "tools/call",
      params: { name: "fx_slow", arguments: { ms: 300 }, _meta: { progressToken: "t" } },
    };
    const streamed = await handler.fetch(post(slow, session));
    expect(streamed.headers.get("content-type")).toContain("text/event-stream");
    const got = await messages(streamed);
    expect(got[0]).toMatchObject({
      method: "notifications/progress",
      params: { progressToken: "t" },
    });
    expect(got.at(-1)).toMatchObject({ id: 9, result: { content: [{ text: "slept 300 ms" }] } });
  }, 20_000);
});
