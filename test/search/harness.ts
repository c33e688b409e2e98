// A real `mcp-gateway stdio` in front of catalog servers (test/fixtures/catalog-server.ts), each
// serving one real server's tool definitions, for the tool search tests and the bench.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { killTree } from "../helpers/proc.ts";
import { initialize, type RpcMessage, type RpcProcess, spawnRpc } from "../helpers/rpc.ts";
import { type TempDir, tempDir } from "../helpers/tmp.ts";

export const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
export const CATALOG_SERVER = fileURLToPath(
  new URL("../fixtures/catalog-server.ts", import.meta.url),
);
/** The project's 20-server catalog of real servers' definitions (test/fixtures/toolsearch). */
const CATALOG_DIRS = [fileURLToPath(new URL("../fixtures/toolsearch/catalog", import.meta.url))];

/** Catalog files by server name (later folders win). */
export function catalogPaths(): Map<string, string> {
  const out = new Map<string, string>();
  for (const dir of CATALOG_DIRS) {
    if (!dir || !existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort())
      if (f.endsWith(".json")) out.set(f.slice(0, -".json".length), join(dir, f));
  }
  return out;
}

/** A real reference server from npm (a devDependency), run by this bun. */
export function npmServer(
  name: "server-memory" | "server-everything",
  env: Record<string, string> = {},
) {
  const script = fileURLToPath(
    new URL(`../../node_modules/@modelcontextprotocol/${name}/dist/index.js`, import.meta.url),
  );
  return { command: process.execPath, args: [script], env };
}

export interface GatewayOptions {
  /** Server names from the catalog (default: all). */
  servers?: string[];
  toolSearch?: Record<string, unknown>;
  roles?: Record<string, string[] | null>;
  role?: string;
  extra?: Record<string, unknown>;
  /** More servers, e.g. real ones from npm (see npmServer). */
  more?: Record<string, unknown>;
  /** Reuse a folder (and its schema cache) across gateways. */
  dir?: TempDir;
}

export interface Gateway {
  rpc: RpcProcess;
  dir: TempDir;
  pidDir: string;
  call(name: string, args?: unknown): Promise<RpcMessage>;
  list(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export function catalogConfig(opts: GatewayOptions, pidDir: string): Record<string, unknown> {
  const paths = catalogPaths();
  const servers: Record<string, unknown> = {};
  for (const name of opts.servers ?? [...paths.keys()]) {
    const path = paths.get(name);
    if (!path) throw new Error(`no catalog file for server "${name}"`);
    servers[name] = {
      command: process.execPath,
      args: [CATALOG_SERVER, path],
      env: { FIXTURE_PID_DIR: pidDir },
    };
  }
  Object.assign(servers, opts.more);
  return {
    servers,
    ...(opts.toolSearch ? { tool_search: opts.toolSearch } : {}),
    ...(opts.roles ? { roles: opts.roles } : {}),
    ...opts.extra,
  };
}

export async function startGateway(opts: GatewayOptions = {}): Promise<Gateway> {
  const dir = opts.dir ?? tempDir("search-");
  const pidDir = join(dir.path, "pids");
  await Bun.$`mkdir -p ${pidDir}`.quiet();
  const config = join(dir.path, "gateway.json");
  writeFileSync(config, JSON.stringify(catalogConfig(opts, pidDir)));
  const args = [MAIN, "stdio", "--config", config, ...(opts.role ? ["--role", opts.role] : [])];
  const rpc = spawnRpc(process.execPath, args, {
    env: { XDG_CACHE_HOME: join(dir.path, "cache"), MCP_GATEWAY_LOG: "warn" },
    timeout: 30_000,
  });
  await initialize(rpc);
  return {
    rpc,
    dir,
    pidDir,
    call: (name, args = {}) => rpc.request("tools/call", { name, arguments: args }),
    async list() {
      const res = await rpc.request("tools/list", {});
      return (res.result?.tools ?? []) as Record<string, unknown>[];
    },
    async stop() {
      rpc.close();
      const exited = await Promise.race([rpc.exited.then(() => true), Bun.sleep(10_000)]);
      if (!exited) await killTree(rpc.pid);
      if (!opts.dir) dir.cleanup();
    },
  };
}

/** Runs `mcp-gateway list --refresh` so every server's schemas are cached, then returns. */
export async function warmCache(opts: GatewayOptions, dir: TempDir): Promise<void> {
  const pidDir = join(dir.path, "pids");
  await Bun.$`mkdir -p ${pidDir}`.quiet();
  const config = join(dir.path, "gateway.json");
  writeFileSync(config, JSON.stringify(catalogConfig(opts, pidDir)));
  const p = Bun.spawn([process.execPath, MAIN, "list", "--refresh", "--config", config], {
    env: { ...process.env, XDG_CACHE_HOME: join(dir.path, "cache"), MCP_GATEWAY_LOG: "error" },
    stdout: "ignore",
    stderr: "pipe",
  });
  const code = await Promise.race([p.exited, Bun.sleep(60_000).then(() => "timeout")]);
  if (code !== 0) {
    p.kill("SIGKILL");
    throw new Error(`list --refresh: ${code}: ${await new Response(p.stderr).text()}`);
  }
}

/** The tool names a gateway_search_tools answer holds, best first. */
export const foundNames = (m: RpcMessage): string[] => {
  const sc = (m.result?.structuredContent ?? {}) as { tools?: { name: string }[] };
  return (sc.tools ?? []).map((t) => t.name);
};
