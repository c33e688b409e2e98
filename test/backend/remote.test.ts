// SPEC 4 with remote backends: server-everything over Streamable HTTP and over legacy SSE on
// 127.0.0.1 (`transport: auto` against the SSE one must fall back), and configured `headers`
// reaching the server (a tiny MCP server on Bun.serve that records them).
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "bun:test";
import type { Server } from "bun";
import { type EverythingServer, startEverythingHttp } from "../fixtures/http-everything.ts";
import { descendants } from "../helpers/proc.ts";
import { textOf } from "../helpers/results.ts";
import { Scene } from "./harness.ts";

let http: EverythingServer | undefined;
let sse: EverythingServer | undefined;
let recorder: Server<undefined> | undefined;
const seenAuth: string[] = [];

type Msg = { id?: number | string; method?: string; params?: Record<string, unknown> };

/** The least an MCP server over Streamable HTTP must answer (JSON responses, no session). */
function answer(msg: Msg, auth: string): Response {
  if (msg.id === undefined) return new Response(null, { status: 202 });
  const result =
    msg.method === "initialize"
      ? {
          protocolVersion: msg.params?.protocolVersion,
          capabilities: { tools: {} },
          serverInfo: { name: "recorder", version: "1.0.0" },
        }
      : msg.method === "tools/list"
        ? { tools: [{ name: "whoami", inputSchema: { type: "object" } }] }
        : msg.method === "tools/call"
          ? { content: [{ type: "text", text: auth }] }
          : {};
  return Response.json({ jsonrpc: "2.0", id: msg.id, result });
}

beforeAll(async () => {
  [http, sse] = await Promise.all([
    startEverythingHttp("streamableHttp"),
    startEverythingHttp("sse"),
  ]);
  recorder = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const auth = req.headers.get("authorization") ?? "";
      seenAuth.push(auth);
      if (req.method !== "POST") return new Response(null, { status: 405 });
      return answer((await req.json()) as Msg, auth);
    },
  });
}, 40_000);

afterAll(async () => {
  await Promise.all([http?.stop(), sse?.stop()]);
  await recorder?.stop(true);
});

let scene: Scene;
beforeEach(() => {
  scene = new Scene();
});
afterEach(async () => {
  await scene.cleanup();
});

test("Streamable HTTP, legacy SSE and auto fallback: listed and called through the gateway", async () => {
  if (!http || !sse || !recorder) throw new Error("servers not started");
  scene.writeConfig({
    servers: {
      http: { url: http.url, transport: "http" },
      sse: { url: sse.url, transport: "sse" },
      auto: { url: sse.url, transport: "auto" },
      hdr: {
        url: `http://127.0.0.1:${recorder.port}/mcp`,
        transport: "http",
        headers: { Authorization: "Bearer test-token-1234" },
      },
    },
  });
  const gw = await scene.gateway();
  const names = ["http", "sse", "auto", "hdr"];
  const connected = await Promise.all(names.map((n) => gw.call(`_${n}_connect`, {}, 30_000)));
  for (const [i, res] of connected.entries()) {
    expect({ server: names[i], error: res.result?.isError }).toEqual({
      server: names[i],
      error: undefined,
    });
  }
  const tools = await gw.tools();
  for (const n of ["http", "sse", "auto"]) {
    expect(tools).toContain(`${n}_echo`);
    expect(textOf(await gw.call(`${n}_echo`, { message: `via ${n}` }))).toBe(`Echo: via ${n}`);
  }
  expect(gw.stderrText()).toMatch(
    /server "auto": Streamable HTTP failed \(.*\); trying legacy SSE\n/,
  );

  expect(textOf(await gw.call("hdr_whoami"))).toBe("Bearer test-token-1234");
  expect(seenAuth.length).toBeGreaterThan(2);
  for (const a of seenAuth) expect(a).toBe("Bearer test-token-1234");
  // Remote backends are connections, not processes.
  expect(descendants(gw.pid)).toEqual([]);
  gw.close();
  expect(await gw.exited).toBe(0);
}, 40_000);
