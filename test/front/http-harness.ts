// An in-process gateway served over HTTP on port 0 with fixture backends, and real SDK clients
// (Streamable HTTP and legacy SSE) for it, counting the GET requests each client makes.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ConfigInput } from "../../src/config/schema.ts";
import { MCPGateway } from "../../src/gateway.ts";
import { fixtureCommand } from "../helpers/fixture.ts";
import { killTree, pidsIn } from "../helpers/proc.ts";
import { testClient } from "../helpers/sdk.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

export interface Served {
  gw: MCPGateway;
  /** …/mcp */
  url: string;
  /** http://127.0.0.1:<port> */
  base: string;
  /** FIXTURE_PID_DIR of the fixture backends (pids, cancelled-<id> markers). */
  pidDir: string;
  close(): Promise<void>;
}

/** The fixture as server `name` of a config, recording into `pidDir`. */
export function fixtureServer(pidDir: string, flags: string[] = []) {
  return { ...fixtureCommand(flags), env: { FIXTURE_PID_DIR: pidDir } };
}

/**
 * A gateway on 127.0.0.1:0 whose config gets `fx` (the fixture) unless it names servers.
 * `refresh` fills the schema cache first, so lists show real tools instead of placeholders.
 */
export async function serve(
  config: (pidDir: string) => ConfigInput = (d) => ({ servers: { fx: fixtureServer(d) } }),
  opts: { refresh?: boolean } = {},
): Promise<Served> {
  const dir: TempDir = tempDir("mcp-gateway-http-");
  const pidDir = join(dir.path, "pids");
  mkdirSync(pidDir);
  const gw = new MCPGateway({ config: config(pidDir), cacheDir: join(dir.path, "cache") });
  try {
    if (opts.refresh) await gw.list({ refresh: true });
    const { url } = await gw.serveHttp({ port: 0 });
    return {
      gw,
      url,
      base: url.replace(/\/mcp$/, ""),
      pidDir,
      async close() {
        await gw.close();
        for (const pid of pidsIn(pidDir)) await killTree(pid);
        dir.cleanup();
      },
    };
  } catch (e) {
    await gw.close();
    dir.cleanup();
    throw e;
  }
}

export interface Connected {
  client: Client;
  /** GET requests the client made (stream opens and reconnections). */
  gets(): number;
  /** Errors the client reported (a dropped stream shows here). */
  errors: Error[];
  close(): Promise<void>;
}

const bearer = (token?: string): Record<string, string> =>
  token ? { Authorization: `Bearer ${token}` } : {};

function counting(): { fetch: typeof fetch; gets: () => number } {
  let gets = 0;
  const wrapped = (async (input: string | URL | Request, init?: RequestInit) => {
    if ((init?.method ?? "GET") === "GET") gets++;
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: wrapped, gets: () => gets };
}

async function connect(
  client: Client,
  transport: StreamableHTTPClientTransport | SSEClientTransport,
  gets: () => number,
): Promise<Connected> {
  const errors: Error[] = [];
  client.onerror = (e) => errors.push(e);
  await client.connect(transport);
  return { client, gets, errors, close: () => client.close() };
}

/** An SDK client over Streamable HTTP. */
export function httpClient(url: string, token?: string, name = "http-client"): Promise<Connected> {
  const c = counting();
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: bearer(token) },
    fetch: c.fetch,
  });
  return connect(testClient(name), transport, c.gets);
}

/** An SDK client over legacy HTTP+SSE (GET /sse, POST /messages). */
export function sseClient(base: string, token?: string, name = "sse-client"): Promise<Connected> {
  const c = counting();
  const transport = new SSEClientTransport(new URL(`${base}/sse`), {
    // Its event-source GET gets the requestInit headers too.
    requestInit: { headers: bearer(token) },
    fetch: c.fetch,
  });
  return connect(testClient(name), transport, c.gets);
}
