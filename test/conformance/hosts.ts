// The servers the conformance suite runs against: a fixture served directly over Streamable HTTP,
// and the same fixture behind the gateway in transparent mode (prefix ""). Three fixtures: the
// legacy-only one (SDK v1, 2025-11-25), the dual-era one (SDK v2, 2025-11-25 + 2026-07-28) and
// the 2026-07-28 tasks-extension one (raw JSON-RPC, for the tasks-* extension scenarios).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { emptyConfig } from "../../src/config/schema.ts";
import { MemoryEventStore } from "../../src/front/event-store.ts";
import { HostPolicy, rpcErrorResponse } from "../../src/front/security.ts";
import { KEEPALIVE_MS, RETRY_MS } from "../../src/front/streamable-session.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { createConformanceServer } from "../fixtures/conformance-server.ts";
import { killTree } from "../helpers/proc.ts";

export const CONFORMANCE_SERVER = fileURLToPath(
  new URL("../fixtures/conformance-server.ts", import.meta.url),
);
export const DUAL_ERA_SERVER = fileURLToPath(
  new URL("../fixtures/dual-era-server.ts", import.meta.url),
);

export const TASKS_SERVER = fileURLToPath(new URL("../fixtures/tasks-server.ts", import.meta.url));

export type Fixture = "legacy" | "dual" | "tasks";
/** How the gateway reaches the fixture: as a stdio backend, or as a remote one over HTTP. */
export type Via = "stdio" | "http";

export interface Host {
  url: string;
  close(): Promise<void>;
}

/**
 * The legacy fixture over Streamable HTTP with nothing but the SDK: one transport and one Server
 * per session, the same event store, keep-alive and retry settings as the gateway's front, and
 * the same Host/Origin check (the suite has a DNS-rebinding scenario).
 */
function serveLegacyDirect(): Host {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const policy = new HostPolicy(emptyConfig(), "127.0.0.1");
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req, srv) {
      const refused = policy.check(req);
      if (refused) return refused;
      if (new URL(req.url).pathname !== "/mcp") return new Response("Not found", { status: 404 });
      srv.timeout(req, 0);
      const sid = req.headers.get("mcp-session-id");
      const known = sid === null ? undefined : sessions.get(sid);
      if (known) return known.handleRequest(req);
      if (sid !== null) return rpcErrorResponse(404, -32001, "Session not found");
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        eventStore: new MemoryEventStore(),
        keepAliveMs: KEEPALIVE_MS,
        retryInterval: RETRY_MS,
        onsessioninitialized: (id) => void sessions.set(id, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await createConformanceServer().connect(transport);
      return transport.handleRequest(req);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/mcp`,
    async close() {
      for (const t of [...sessions.values()]) await t.close();
      await server.stop(true);
    },
  };
}

/** A fixture in its own process over HTTP (dual-era, tasks); its first stdout line is its URL. */
async function serveProcessDirect(path: string): Promise<Host> {
  const proc = Bun.spawn([process.execPath, path, "--http", "0"], {
    stdout: "pipe",
    stderr: "ignore",
  });
  const reader = proc.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 20_000;
  while (!text.includes("\n")) {
    const next = await Promise.race([
      reader.read(),
      Bun.sleep(Math.max(0, deadline - Date.now())).then(() => undefined),
    ]);
    if (!next || next.done) {
      await killTree(proc.pid).catch(() => {});
      throw new Error(`${path} did not print its URL: ${JSON.stringify(text)}`);
    }
    text += new TextDecoder().decode(next.value);
  }
  reader.releaseLock();
  return {
    url: text.slice(0, text.indexOf("\n")).trim(),
    close: () => killTree(proc.pid).catch(() => {}),
  };
}

export function serveDirect(fixture: Fixture = "legacy"): Host | Promise<Host> {
  if (fixture === "legacy") return serveLegacyDirect();
  return serveProcessDirect(fixture === "dual" ? DUAL_ERA_SERVER : TASKS_SERVER);
}

/** The fixture behind an in-process gateway, names unprefixed, its schemas cached first. */
export async function serveThroughGateway(
  fixture: Fixture = "legacy",
  via: Via = "stdio",
): Promise<Host> {
  const cacheDir = mkdtempSync(join(tmpdir(), "mcp-gateway-conformance-"));
  const behind = via === "http" ? await serveDirect(fixture) : undefined;
  const server = behind
    ? { url: behind.url, prefix: "" }
    : {
        command: process.execPath,
        args:
          fixture === "legacy"
            ? [CONFORMANCE_SERVER]
            : [fixture === "dual" ? DUAL_ERA_SERVER : TASKS_SERVER, "--stdio"],
        prefix: "",
      };
  const gw = new MCPGateway({ config: { servers: { conformance: server } }, cacheDir });
  // Without a cache the server would be listed as its placeholder tool until first use.
  await gw.list({ refresh: true });
  const { url } = await gw.serveHttp({ port: 0 });
  return {
    url,
    async close() {
      await gw.close();
      await behind?.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
