// What a "way" is (one front to the same echo server) and the pieces every way is built from.
import { resolve } from "node:path";
import { StreamableClient } from "./client-http.ts";
import { ModernClient } from "./client-modern.ts";
import { SseClient } from "./client-sse.ts";
import { StdioClient } from "./client-stdio.ts";
import { type Client, INITIALIZE, INITIALIZED } from "./rpc.ts";
import { type Child, type StartOptions, start } from "./spawn.ts";

export const ROOT = resolve(import.meta.dir, "../..");
export const EVERYTHING = resolve(
  ROOT,
  "node_modules/@modelcontextprotocol/server-everything/dist/index.js",
);
/** The backend every way fronts, run the same way each time. */
export const BACKEND = ["node", EVERYTHING, "stdio"];

export type Kind = "floor" | "gateway" | "peer";

export interface Way {
  /** Short id for --only and the report. */
  id: string;
  label: string;
  kind: Kind;
  /** The echo tool's name as this way exposes it. */
  tool: string;
  /** Spawns the process under test; the clock for "spawn to first tools/list" starts inside. */
  launch(): Promise<Launched>;
  /** Which client measures it: the raw load clients (default) or the MCP SDK's own client. */
  pass?: "raw" | "sdk";
}

export interface Launched {
  child: Child;
  /** Bun.nanoseconds() just before the spawn. */
  spawnedAt: number;
  /** The process whose own CPU is "the gateway's" (the front; the backend is its descendant). */
  frontPid: number;
  /** A client with the MCP handshake done; retries while the process is not listening yet. */
  connect(deadline: number): Promise<Client>;
  /** The endpoint of an HTTP way. */
  url?: string;
}

/** Spawns `cmd` and speaks newline-delimited JSON-RPC over its stdin/stdout. */
export function stdioLaunch(cmd: string[], opts: StartOptions = {}): Launched {
  const spawnedAt = Bun.nanoseconds();
  const child = start(cmd, { ...opts, pipes: true });
  return {
    child,
    spawnedAt,
    frontPid: child.pid,
    connect: async () => {
      if (!child.stdin || !child.stdout) throw new Error("no pipes");
      const client = new StdioClient(child.stdin, child.stdout);
      await handshake(client);
      return client;
    },
  };
}

export type HttpFlavor = "streamable" | "sse" | "modern";

/** Spawns an HTTP server process; `url` is its /mcp (streamable) or /sse (legacy) endpoint. */
export function httpLaunch(
  cmd: string[],
  flavor: HttpFlavor,
  url: string,
  opts: StartOptions = {},
): Launched {
  const spawnedAt = Bun.nanoseconds();
  const child = start(cmd, opts);
  return {
    child,
    spawnedAt,
    frontPid: child.pid,
    url,
    connect: async (deadline) => {
      const exited = child.exited.then((code) => {
        throw new Error(`exited with code ${code} before serving: ${child.stderrTail()}`);
      });
      exited.catch(() => {});
      const client = await Promise.race([
        flavor === "streamable"
          ? StreamableClient.open(url, deadline)
          : flavor === "modern"
            ? ModernClient.open(url, deadline)
            : SseClient.open(url, deadline),
        exited,
      ]);
      if (flavor === "sse") await handshake(client);
      else if (flavor === "streamable") await client.notify(INITIALIZED);
      return client;
    },
  };
}

async function handshake(client: Client): Promise<void> {
  const init = await client.call(INITIALIZE);
  if (init.error) throw new Error(`initialize: ${init.error.message}`);
  await client.notify(INITIALIZED);
}

/** A free TCP port on 127.0.0.1 (released at once; the process under test binds it next). */
export function freePort(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = server.port;
  server.stop(true);
  return port;
}
