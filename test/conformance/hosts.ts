// The two servers the conformance suite runs against: the conformance fixture served directly
// over Streamable HTTP, and the same fixture behind the gateway in transparent mode (prefix "").
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

export const CONFORMANCE_SERVER = fileURLToPath(
  new URL("../fixtures/conformance-server.ts", import.meta.url),
);

export interface Host {
  url: string;
  close(): Promise<void>;
}

/**
 * The fixture over Streamable HTTP with nothing but the SDK: one transport and one Server per
 * session, the same event store, keep-alive and retry settings as the gateway's front, and
 * the same Host/Origin check (the suite has a DNS-rebinding scenario).
 */
export function serveDirect(): Host {
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

/** The fixture as a stdio backend of an in-process gateway, names unprefixed, cache filled. */
export async function serveThroughGateway(): Promise<Host> {
  const cacheDir = mkdtempSync(join(tmpdir(), "mcp-gateway-conformance-"));
  const gw = new MCPGateway({
    config: {
      servers: {
        conformance: { command: process.execPath, args: [CONFORMANCE_SERVER], prefix: "" },
      },
    },
    cacheDir,
  });
  // Without a cache the server would be listed as its placeholder tool until first use.
  await gw.list({ refresh: true });
  const { url } = await gw.serveHttp({ port: 0 });
  return {
    url,
    async close() {
      await gw.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
